package dev.walstow.wal;

import dev.walstow.error.UserError;

/** A PostgreSQL timeline: an unsigned 32-bit number that PostgreSQL never sets to 0. */
public record TimelineId(long value) implements Comparable<TimelineId> {
    public static final long MAX = 0xFFFFFFFFL;

    public TimelineId {
        if (value < 1 || value > MAX) {
            throw new IllegalArgumentException("timeline must be 1..0xFFFFFFFF, not " + value);
        }
    }

    /** Parses the 8 upper-case hex digits that open every WAL file name, e.g. {@code 0000000A}. */
    public static TimelineId parse(String eightHex) {
        if (eightHex == null || eightHex.length() != 8 || !Hex.isUpper(eightHex)) {
            throw UserError.usage("'" + eightHex + "' is not a timeline: expected 8 upper-case hex digits.",
                    "write the timeline as it appears in WAL file names, e.g. 00000001");
        }
        long v = Long.parseLong(eightHex, 16);
        if (v == 0) {
            throw UserError.usage("Timeline 00000000 does not exist; PostgreSQL timelines start at 1.",
                    "use the timeline from the WAL file name, e.g. 00000001");
        }
        return new TimelineId(v);
    }

    /** The 8 upper-case hex digits used in file names. */
    public String hex() {
        return Hex.UPPER.toHexDigits((int) value);
    }

    /** The timeline a promotion creates after this one. */
    public TimelineId next() {
        if (value == MAX) {
            throw new IllegalStateException("timeline " + hex() + " is the last one");
        }
        return new TimelineId(value + 1);
    }

    @Override
    public int compareTo(TimelineId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
