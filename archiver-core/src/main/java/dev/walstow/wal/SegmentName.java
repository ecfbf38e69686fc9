package dev.walstow.wal;

import dev.walstow.error.UserError;
import dev.walstow.error.WalRejected;

/**
 * A WAL segment file name, {@code TTTTTTTTLLLLLLLLSSSSSSSS}: timeline, "log id" and segment within that log id. The
 * split of a segment number into log id and segment depends on the segment size, so anything numeric takes one.
 */
public record SegmentName(TimelineId timeline, long logId, long segId) implements WalFileName {

    public SegmentName {
        if (timeline == null) {
            throw new IllegalArgumentException("timeline is required");
        }
        if (logId < 0 || logId > 0xFFFFFFFFL || segId < 0 || segId > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("log id and segment must be unsigned 32-bit: " + logId + ", " + segId);
        }
    }

    /** Parses exactly 24 upper-case hex digits. */
    public static SegmentName parse(String fileName) {
        if (WalFileName.parse(fileName) instanceof SegmentName s) {
            return s;
        }
        throw UserError.usage("'" + fileName + "' is not a WAL segment name.",
                "a WAL segment name is 24 upper-case hex digits, e.g. 000000010000000000000005");
    }

    static SegmentName ofHex(String hex24) {
        long tli = Long.parseLong(hex24, 0, 8, 16);
        if (tli == 0) {
            throw UserError.usage("'" + hex24 + "' names timeline 00000000, which PostgreSQL never uses.",
                    "pass " + WalFileName.ACCEPTED_FORMS);
        }
        return new SegmentName(new TimelineId(tli), Long.parseLong(hex24, 8, 16, 16), Long.parseLong(hex24, 16, 24, 16));
    }

    public static SegmentName of(TimelineId timeline, long segmentNumber, WalSegmentSize size) {
        if (segmentNumber < 0 || Long.divideUnsigned(segmentNumber, size.segmentsPerXLogId()) > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("segment number out of range: " + segmentNumber);
        }
        long per = size.segmentsPerXLogId();
        return new SegmentName(timeline, segmentNumber / per, segmentNumber % per);
    }

    /** The segment holding {@code lsn} on {@code timeline}. */
    public static SegmentName containing(TimelineId timeline, Lsn lsn, WalSegmentSize size) {
        return of(timeline, lsn.segmentNumber(size), size);
    }

    /** Eight upper-case hex digits each, as PostgreSQL's %08X; without a Formatter (the daemon sorts by name). */
    @Override
    public String fileName() {
        return timeline.hex() + Hex.UPPER.toHexDigits((int) logId)
                + Hex.UPPER.toHexDigits((int) segId);
    }

    /**
     * Refuses names that cannot exist with this segment size: each log id holds only {@code 4 GiB / size}
     * segments, so with 1 GiB segments only 00000000..00000003 occur in the last 8 digits.
     */
    public void checkValidFor(WalSegmentSize size) {
        if (segId >= size.segmentsPerXLogId()) {
            throw WalRejected.invalid("'" + fileName() + "' cannot exist with " + size + " WAL segments: its last 8 "
                            + "digits must be below " + String.format("%08X", size.segmentsPerXLogId()) + ".",
                    "check that the file comes from this cluster and that the repository's segment size ("
                            + size + ") matches the cluster's (SHOW wal_segment_size)");
        }
    }

    public long segmentNumber(WalSegmentSize size) {
        checkValidFor(size);
        return logId * size.segmentsPerXLogId() + segId;
    }

    public Lsn startLsn(WalSegmentSize size) {
        return new Lsn(segmentNumber(size) * size.bytes());
    }

    public SegmentName next(WalSegmentSize size) {
        return of(timeline, segmentNumber(size) + 1, size);
    }

    @Override
    public String toString() {
        return fileName();
    }
}
