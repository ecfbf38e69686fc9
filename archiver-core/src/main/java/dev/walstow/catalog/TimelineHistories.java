package dev.walstow.catalog;

import dev.walstow.agent.Failures;
import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.Retrier;
import dev.walstow.error.LocalIoError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.TimelineId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The timeline histories of a repository, read from its (encoded) history files on first use and cached. Needs the
 * secret key: restore and verify only. A timeline without a history file has a path of itself alone. Each read is one
 * {@link ArchiveGet} attempt, repeated by {@code retrier} (the restore's or verify's one retry layer).
 */
public final class TimelineHistories {
    private final ArchiveGet get;
    private final Retrier retrier;
    private final WalCatalog catalog;
    private final Map<TimelineId, TimelineHistory> cache = new HashMap<>();

    public TimelineHistories(BoundRepository repository, Retrier retrier, WalCatalog catalog) {
        this.get = new ArchiveGet(repository);
        this.retrier = retrier;
        this.catalog = catalog;
    }

    public synchronized TimelineHistory of(TimelineId timeline) {
        TimelineHistory known = cache.get(timeline);
        if (known == null) {
            known = read(timeline);
            cache.put(timeline, known);
        }
        return known;
    }

    private TimelineHistory read(TimelineId timeline) {
        Optional<String> key = catalog.keyOf(new HistoryName(timeline).fileName());
        if (key.isEmpty()) {
            return TimelineHistory.root(timeline);
        }
        Path temp;
        try {
            temp = Files.createTempFile("walstow-history-", ".tmp");
        } catch (IOException e) {
            throw new LocalIoError("cannot create a temporary file: " + Failures.describe(e), "check /tmp", e);
        }
        try {
            HistoryName name = new HistoryName(timeline);
            retrier.call("fetching " + RepositoryLayout.keyOf(name), () -> get.get(name, temp));
            return TimelineHistory.parse(timeline, Files.readString(temp));
        } catch (IOException e) {
            throw new LocalIoError("cannot read " + temp + ": " + Failures.describe(e), "check /tmp", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temp file of a few bytes is harmless
            }
        }
    }
}
