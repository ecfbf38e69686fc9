package dev.walstow.guard;

import dev.walstow.agent.Failures;
import dev.walstow.error.WalstowException;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lists {@code pg_wal/archive_status/*.ready}: one directory listing and one stat per file, once per guard tick. */
public final class PgWalBacklog implements WalBacklog {
    private static final Logger LOG = LoggerFactory.getLogger(PgWalBacklog.class);
    private static final String SUFFIX = ".ready";
    /** Segments by position (log id, segment id), whatever the timeline; other files sort by name. */
    private static final Comparator<SegmentName> BY_POSITION = Comparator.comparingLong(SegmentName::logId)
            .thenComparingLong(SegmentName::segId).thenComparing(s -> s.timeline().value());

    private final Path pgWal;

    public PgWalBacklog(Path pgWal) {
        this.pgWal = pgWal;
    }

    @Override
    public Snapshot snapshot() {
        int files = 0;
        long bytes = 0;
        SegmentName oldestSegment = null;
        String oldestName = null;
        try (DirectoryStream<Path> ready = Files.newDirectoryStream(pgWal.resolve("archive_status"), "*" + SUFFIX)) {
            for (Path status : ready) {
                String file = status.getFileName().toString();
                String name = file.substring(0, file.length() - SUFFIX.length());
                Optional<WalFileName> parsed = parse(name);
                if (parsed.isEmpty()) {
                    continue;
                }
                files++;
                bytes += size(pgWal.resolve(name));
                if (parsed.get() instanceof SegmentName s
                        && (oldestSegment == null || BY_POSITION.compare(s, oldestSegment) < 0)) {
                    oldestSegment = s;
                }
                if (oldestName == null || name.compareTo(oldestName) < 0) {
                    oldestName = name; // used only when no segment is .ready (history, backup files)
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}/archive_status: {}", pgWal, Failures.describe(e));
            return Snapshot.EMPTY;
        }
        Optional<String> oldest = Optional.ofNullable(oldestSegment != null ? oldestSegment.fileName() : oldestName);
        return new Snapshot(files, bytes, Optional.ofNullable(oldestSegment), oldest.flatMap(this::mtime), oldest);
    }

    @Override
    public Optional<Instant> mtime(String walFileName) {
        try {
            return Optional.of(Files.getLastModifiedTime(pgWal.resolve(walFileName)).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // archived and removed between the listing and now
        }
    }

    private static Optional<WalFileName> parse(String name) {
        try {
            return Optional.of(WalFileName.parse(name));
        } catch (WalstowException e) {
            return Optional.empty();
        }
    }
}
