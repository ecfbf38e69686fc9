package dev.walstow.daemon;

import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalSegmentSize;
import dev.walstow.wal.XLogLongPageHeader;
import java.util.SplittableRandom;

/**
 * Valid WAL segments for a synthetic PostgreSQL 15 cluster with 1 MiB segments: a correct long page header for the
 * name (magic, long-header flag, timeline, page address = the name's start LSN, system identifier, segment size,
 * 8 KiB blocks), then pseudo-random bytes that compress about 4:1 like real WAL.
 */
public final class TestWal {
    public static final WalSegmentSize SIZE = new WalSegmentSize(1 << 20);
    public static final ClusterIdentity CLUSTER = new ClusterIdentity(7_310_000_000_000_000_123L, 15, SIZE);

    private TestWal() {}

    public static byte[] segment(SegmentName name, long seed) {
        byte[] bytes = new byte[SIZE.bytes()];
        SplittableRandom random = new SplittableRandom(seed ^ name.fileName().hashCode());
        for (int i = XLogLongPageHeader.LENGTH; i < bytes.length; i++) {
            bytes[i] = (byte) (random.nextInt(4) + 'a');
        }
        XLogLongPageHeader.firstPageOf(name, CLUSTER).writeTo(bytes);
        return bytes;
    }

    public static SegmentName seg(int timeline, long number) {
        return SegmentName.of(new dev.walstow.wal.TimelineId(timeline), number, SIZE);
    }
}
