package dev.walstow.wal;

import dev.walstow.error.WalRejected;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of the first page of every WAL segment ({@code XLogLongPageHeaderData} in
 * {@code access/xlog_internal.h}). It names the cluster, segment size and position the segment was written for,
 * which is what lets walstow refuse a file that is not what its name says.
 *
 * <p>Layout (little-endian, as PostgreSQL writes it on x86-64 and arm64; checked against PostgreSQL 15 segments):
 * uint16 xlp_magic @0, uint16 xlp_info @2, uint32 xlp_tli @4, uint64 xlp_pageaddr @8, uint32 xlp_rem_len @16,
 * 4 bytes of alignment padding, uint64 xlp_sysid @24, uint32 xlp_seg_size @32, uint32 xlp_xlog_blcksz @36.
 */
public record XLogLongPageHeader(int magic, int info, TimelineId timeline, long pageAddress, int remainingLength,
                                 long systemIdentifier, int segmentSize, int blockSize) {

    /** Bytes needed to parse the header. */
    public static final int LENGTH = 40;
    /** xlp_info flag set on the first page of a segment, whose header carries the long fields. */
    public static final int XLP_LONG_HEADER = 0x0002;
    /** XLOG_BLCKSZ as PostgreSQL is built by default. */
    public static final int DEFAULT_BLOCK_SIZE = 8192;

    public static XLogLongPageHeader parse(byte[] bytes) {
        if (bytes.length < LENGTH) {
            throw WalRejected.invalid("A WAL long page header needs " + LENGTH + " bytes but only " + bytes.length
                    + " were given.", "the file is truncated or is not a WAL segment");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(b.getShort(0));
        int info = Short.toUnsignedInt(b.getShort(2));
        long tli = Integer.toUnsignedLong(b.getInt(4));
        if (tli == 0) {
            // PostgreSQL never writes timeline 0, so this is not a page header at all (often an all-zero file).
            throw WalRejected.invalid(String.format("The bytes do not start with a WAL page header (magic 0x%04X, "
                    + "info 0x%04X, timeline 0).", magic, info), "the file is not a WAL segment or is damaged");
        }
        return new XLogLongPageHeader(magic, info, new TimelineId(tli), b.getLong(8), b.getInt(16), b.getLong(24),
                b.getInt(32), b.getInt(36));
    }

    /** The header PostgreSQL writes on the first page of {@code segment} of {@code cluster} (8 KiB blocks). */
    public static XLogLongPageHeader firstPageOf(SegmentName segment, ClusterIdentity cluster) {
        return new XLogLongPageHeader(PgMajor.walPageMagic(cluster.pgMajor()), XLP_LONG_HEADER, segment.timeline(),
                segment.startLsn(cluster.segmentSize()).value(), 0, cluster.systemIdentifier(),
                cluster.segmentSize().bytes(), DEFAULT_BLOCK_SIZE);
    }

    /** Writes this header over the first {@link #LENGTH} bytes of {@code page}, as {@link #parse} reads it. */
    public void writeTo(byte[] page) {
        ByteBuffer.wrap(page, 0, LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(0, (short) magic)
                .putShort(2, (short) info)
                .putInt(4, (int) timeline.value())
                .putLong(8, pageAddress)
                .putInt(16, remainingLength)
                .putInt(20, 0)
                .putLong(24, systemIdentifier)
                .putInt(32, segmentSize)
                .putInt(36, blockSize);
    }

    public boolean isLong() {
        return (info & XLP_LONG_HEADER) != 0;
    }

    public Lsn pageLsn() {
        return new Lsn(pageAddress);
    }

    /** xlp_seg_size as the unsigned number it is. */
    public long segmentSizeUnsigned() {
        return Integer.toUnsignedLong(segmentSize);
    }

    /** xlp_sysid as PostgreSQL prints it (pg_controldata shows it unsigned). */
    public String systemIdentifierText() {
        return Long.toUnsignedString(systemIdentifier);
    }
}
