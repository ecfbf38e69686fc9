package dev.walstow.wal;

import dev.walstow.error.UserError;

/**
 * Size of one WAL segment file, fixed per cluster by {@code initdb --wal-segsize}. PostgreSQL accepts powers of two
 * from 1 MiB to 1 GiB ({@code IsValidWalSegSize} in {@code access/xlog_internal.h}).
 */
public record WalSegmentSize(int bytes) {
    public static final int MIN_BYTES = 1 << 20;
    public static final int MAX_BYTES = 1 << 30;
    public static final WalSegmentSize DEFAULT = new WalSegmentSize(16 << 20);

    public WalSegmentSize {
        if (!isValid(bytes)) {
            throw UserError.usage("WAL segment size " + bytes + " bytes is not one PostgreSQL can use.",
                    "a segment size is a power of two from 1 MiB (1048576) to 1 GiB (1073741824), "
                            + "as given to initdb --wal-segsize (in MiB)");
        }
    }

    public static boolean isValid(long bytes) {
        return bytes >= MIN_BYTES && bytes <= MAX_BYTES && Long.bitCount(bytes) == 1;
    }

    /** The size as {@code initdb --wal-segsize} takes it. */
    public static WalSegmentSize ofMegabytes(int mebibytes) {
        if (mebibytes < 1 || mebibytes > 1024) {
            throw UserError.usage("WAL segment size " + mebibytes + " MiB is outside 1..1024 MiB.",
                    "use a power of two from 1 to 1024, as given to initdb --wal-segsize");
        }
        return new WalSegmentSize(mebibytes << 20);
    }

    /** How many segments share one "log id" (the middle 8 hex digits of a segment name). */
    public long segmentsPerXLogId() {
        return 0x1_0000_0000L / bytes;
    }

    @Override
    public String toString() {
        return (bytes >> 20) + " MiB";
    }
}
