package dev.walstow.wal;

import dev.walstow.error.UserError;

/**
 * A WAL position: an unsigned 64-bit byte offset in the WAL stream, written by PostgreSQL as two unpadded upper-case
 * hex halves, e.g. {@code 16/B374D848} or {@code 0/16B3748}.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    /** Accepts what PostgreSQL's pg_lsn input accepts: 1..8 hex digits of either case on each side of '/'. */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8
                || !Hex.isAnyCase(text, 0, slash) || !Hex.isAnyCase(text, slash + 1, text.length())) {
            throw UserError.usage("'" + text + "' is not an LSN.",
                    "write an LSN as PostgreSQL prints it: two hex numbers of up to 8 digits, e.g. 16/B374D848");
        }
        long high = Long.parseLong(text, 0, slash, 16);
        long low = Long.parseLong(text, slash + 1, text.length(), 16);
        return new Lsn(high << 32 | low);
    }

    public long segmentNumber(WalSegmentSize size) {
        return Long.divideUnsigned(value, size.bytes());
    }

    public long offsetInSegment(WalSegmentSize size) {
        return value & (size.bytes() - 1);
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
