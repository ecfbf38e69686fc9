package dev.walstow.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds long page headers byte by byte, in PostgreSQL's on-disk layout, for tests. */
final class Headers {
    static final long SYSID = 7710648781066038591L;

    private Headers() {
    }

    static byte[] longHeader(int magic, int info, long tli, long pageAddr, long sysid, int segSize, int blockSize) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) magic).putShort(2, (short) info).putInt(4, (int) tli).putLong(8, pageAddr)
                .putInt(16, 0xD9).putInt(20, 0xDEADBEEF) // padding: must be ignored
                .putLong(24, sysid).putInt(32, segSize).putInt(36, blockSize);
        return b.array();
    }

    /** A valid PG15 first-page header for {@code seg} of a cluster with {@link #SYSID}. */
    static byte[] pg15(SegmentName seg, WalSegmentSize size) {
        return longHeader(0xD110, 0x0002, seg.timeline().value(), seg.startLsn(size).value(), SYSID, size.bytes(),
                8192);
    }
}
