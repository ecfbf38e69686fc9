package dev.walstow.wal;

/**
 * The file {@code pg_backup_stop} archives to mark a base backup: the segment where the backup started and the
 * offset of its start within that segment, {@code 000000010000000000000002.00000028.backup}.
 */
public record BackupHistoryName(SegmentName segment, long offset) implements WalFileName {
    public BackupHistoryName {
        if (segment == null) {
            throw new IllegalArgumentException("segment is required");
        }
        if (offset < 0 || offset > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("offset must be unsigned 32-bit: " + offset);
        }
    }

    @Override
    public String fileName() {
        return String.format("%s.%08X.backup", segment.fileName(), offset);
    }

    @Override
    public TimelineId timeline() {
        return segment.timeline();
    }

    /** Where the backup started. */
    public Lsn startLsn(WalSegmentSize size) {
        return segment.startLsn(size).plus(offset);
    }

    @Override
    public String toString() {
        return fileName();
    }
}
