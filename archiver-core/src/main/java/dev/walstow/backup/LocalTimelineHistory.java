package dev.walstow.backup;

import dev.walstow.catalog.TimelineHistory;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.TimelineId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's timeline history, read from its own {@code pg_wal} (the repository's history files are encrypted, and
 * the host that takes backups holds only the public key). Without the file, the history is the timeline alone: a
 * reference on another timeline is then not trusted and the backup is a full.
 */
final class LocalTimelineHistory {
    private LocalTimelineHistory() {}

    static TimelineHistory read(Path dataDirectory, TimelineId timeline) {
        if (timeline.value() == 1) {
            return TimelineHistory.root(timeline);
        }
        Path file = dataDirectory.resolve("pg_wal").resolve(new HistoryName(timeline).fileName());
        try {
            return TimelineHistory.parse(timeline, Files.readString(file));
        } catch (IOException e) {
            return TimelineHistory.root(timeline);
        }
    }
}
