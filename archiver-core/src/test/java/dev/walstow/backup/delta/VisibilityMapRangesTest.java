package dev.walstow.backup.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisibilityMapRangesTest {
    private static final int BS = 8192;
    /** Heap blocks one map page covers: (BLCKSZ - 24) bytes of 2 bits per heap block. */
    private static final long PER_PAGE = (BS - 24) * 4L;

    @TempDir
    Path dir;

    @Test
    @DisplayName("heap blocks in the range of a map page changed since the LSN (or not trustworthy) are suspect")
    void rangesOfChangedMapPages() throws IOException {
        byte[] vm = new byte[3 * BS];
        IncrementalFormatTest.page(vm, 0, 100); // unchanged since 500
        IncrementalFormatTest.page(vm, 1, 900); // set since
        // page 2: zeros, proves nothing
        Path file = dir.resolve("16384_vm");
        Files.write(file, vm);
        VisibilityMapRanges ranges = VisibilityMapRanges.read(file, BS, 500);
        assertThat(ranges.suspect(0)).isFalse();
        assertThat(ranges.suspect(PER_PAGE - 1)).isFalse();
        assertThat(ranges.suspect(PER_PAGE)).isTrue();
        assertThat(ranges.suspect(2 * PER_PAGE + 7)).isTrue();
        assertThat(ranges.suspect(3 * PER_PAGE)).as("past the map: nothing marked there").isFalse();
        assertThat(VisibilityMapRanges.read(dir.resolve("absent_vm"), BS, 500).suspect(5)).isFalse();
    }

    @Test
    @DisplayName("a page scan keeps an unchanged-LSN page marked all-visible when its map range is suspect, only then")
    void scanKeepsNewAllVisibleMarks() throws IOException {
        byte[] heap = new byte[3 * BS];
        for (int b = 0; b < 3; b++) {
            IncrementalFormatTest.page(heap, b, 100);
        }
        heap[10] = 4; // block 0: PD_ALL_VISIBLE
        heap[2 * BS + 10] = 4; // block 2: PD_ALL_VISIBLE
        Path file = dir.resolve("16384");
        Files.write(file, heap);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = IncrementalInput.scan(ch, 0, Long.MAX_VALUE, BS, 3, 500, b -> b >= 1)) {
            in.transferTo(plain);
        }
        List<Integer> kept = new ArrayList<>();
        IncrementalFormat.Sink sink = new IncrementalFormat.Sink("t", (n, b) -> kept.add(n));
        sink.write(plain.toByteArray());
        sink.finish();
        assertThat(kept).containsExactly(2);
    }
}
