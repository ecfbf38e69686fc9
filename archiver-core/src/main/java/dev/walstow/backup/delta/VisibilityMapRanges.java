package dev.walstow.backup.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * Which heap blocks may have been marked all-visible since an LSN without their own page LSN changing: the one
 * change to a heap page that PostgreSQL makes without setting its {@code pd_lsn} when neither data checksums nor
 * {@code wal_log_hints} are on (visibilitymap.c, {@code visibilitymap_set}: "we must *not* update the heap page's
 * LSN"). The visibility map page it sets in the same step does get the record's LSN, and each map page covers a fixed
 * range of heap blocks; so a heap page that carries {@code PD_ALL_VISIBLE} in the range of a map page whose LSN is at
 * or after the reference's start may differ from its version in the reference and is stored. Without data checksums
 * the page scan cannot tell from the heap page alone, and {@code wal_log_hints} may have been off for a while since
 * the reference, so the rule applies whenever data checksums are off.
 */
public final class VisibilityMapRanges {
    private static final int PAGE_HEADER = 24;

    private final BitSet suspectMapPages;
    private final long heapBlocksPerMapPage;
    private final long mapPagesRead;
    private final boolean moreSegments;

    private VisibilityMapRanges(BitSet suspectMapPages, long heapBlocksPerMapPage, long mapPagesRead,
            boolean moreSegments) {
        this.suspectMapPages = suspectMapPages;
        this.heapBlocksPerMapPage = heapBlocksPerMapPage;
        this.mapPagesRead = mapPagesRead;
        this.moreSegments = moreSegments;
    }

    /**
     * Reads the page headers of a relation's visibility map (its first segment file, {@code REL_vm}).
     *
     * @param vm the map file; absent means no block of the relation is marked all-visible
     */
    public static VisibilityMapRanges read(Path vm, int blockSize, long since) throws IOException {
        BitSet suspect = new BitSet();
        long pages = 0;
        try (FileChannel ch = FileChannel.open(vm, StandardOpenOption.READ)) {
            ByteBuffer page = ByteBuffer.allocate(blockSize);
            for (long at = 0; ; at += blockSize) {
                page.clear();
                while (page.hasRemaining() && ch.read(page, at + page.position()) >= 0) {
                    // read a whole page or up to the end
                }
                if (page.position() == 0) {
                    break;
                }
                if (PageLsn.mayHaveChanged(page.array(), 0, blockSize, since)) {
                    suspect.set((int) pages);
                }
                pages++;
                if (page.position() < blockSize) {
                    break;
                }
            }
        } catch (NoSuchFileException e) {
            // no map: nothing is marked all-visible
        }
        return new VisibilityMapRanges(suspect, (long) (blockSize - PAGE_HEADER) * 4, pages,
                pages * blockSize >= (1L << 30));
    }

    /** Whether heap block {@code block} (numbered in the relation) lies in the range of a map page changed since. */
    public boolean suspect(long block) {
        long mapPage = block / heapBlocksPerMapPage;
        if (mapPage >= mapPagesRead) {
            // Past the map's end a missing map page marks nothing; past its first segment (a heap of tens of
            // terabytes) the other segments were not read: suspect.
            return moreSegments;
        }
        return suspectMapPages.get((int) mapPage);
    }
}
