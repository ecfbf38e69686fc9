package dev.walstow.guard;

import dev.walstow.wal.SegmentName;
import java.time.Instant;
import java.util.Optional;

/** What pg_wal says about archiving: the .ready backlog and file times. {@link PgWalBacklog} reads the disk. */
public interface WalBacklog {

    /**
     * @param files WAL files marked .ready (segments, history, partial and backup files)
     * @param bytes their size
     * @param oldestSegment the oldest .ready segment: everything before it is archived
     * @param oldestMtime when the oldest .ready file was last written, if any
     * @param oldestName its name
     */
    record Snapshot(int files, long bytes, Optional<SegmentName> oldestSegment, Optional<Instant> oldestMtime,
            Optional<String> oldestName) {
        public static final Snapshot EMPTY = new Snapshot(0, 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    Snapshot snapshot();

    /** When pg_wal/NAME was last written, if it exists. */
    Optional<Instant> mtime(String walFileName);
}
