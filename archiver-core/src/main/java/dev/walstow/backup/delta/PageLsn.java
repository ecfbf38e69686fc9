package dev.walstow.backup.delta;

/**
 * What a page's header says about when it last changed (PostgreSQL's PageHeaderData, src/include/storage/bufpage.h):
 * {@code pd_lsn} is the end of the WAL record of the page's last change, stored as two native (here little-endian)
 * 32-bit halves.
 *
 * <p>Why a page with an older LSN is unchanged since the reference backup started: every change to a main-fork page
 * but one is WAL-logged and sets {@code pd_lsn} (the exception, PD_ALL_VISIBLE set by VACUUM without data checksums,
 * is {@link VisibilityMapRanges}'s), and the start checkpoint of this backup wrote every page changed before it
 * to disk. A page written while this backup reads it changed after this backup's start, so its full-page image is in
 * the WAL this backup's recovery replays. Hint-bit changes do not set the LSN and do not matter to correctness.
 * Pages that are new (all zero) or whose header does not look valid are kept: their LSN proves nothing.
 */
public final class PageLsn {
    private static final int PD_VALID_FLAG_BITS = 0x0007;
    private static final int SIZE_OF_PAGE_HEADER = 24;

    private PageLsn() {}

    /** Whether the page at {@code off} may differ from its version at LSN {@code since}. */
    public static boolean mayHaveChanged(byte[] page, int off, int blockSize, long since) {
        int flags = u16(page, off + 10);
        int lower = u16(page, off + 12);
        int upper = u16(page, off + 14);
        int special = u16(page, off + 16);
        int sizeVersion = u16(page, off + 18);
        boolean valid = (flags & ~PD_VALID_FLAG_BITS) == 0 && lower >= SIZE_OF_PAGE_HEADER && lower <= upper
                && upper <= special && special <= blockSize && (sizeVersion & 0xFF00) == (blockSize & 0xFF00)
                && blockSize <= 0x8000;
        if (!valid) {
            return true;
        }
        long lsn = (u32(page, off) << 32) | u32(page, off + 4);
        return Long.compareUnsigned(lsn, since) >= 0;
    }

    /** Whether the page header carries PD_ALL_VISIBLE (0x0004): every tuple on it is visible to everyone. */
    public static boolean allVisible(byte[] page, int off) {
        return (u16(page, off + 10) & 0x0004) != 0;
    }

    /** The page's LSN (for tests and diagnostics). */
    public static long lsn(byte[] page, int off) {
        return (u32(page, off) << 32) | u32(page, off + 4);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
