package dev.walstow.backup.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.DataError;
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

class IncrementalFormatTest {
    private static final int BS = 8192;

    @TempDir
    Path dir;

    @Test
    @DisplayName("a scan keeps pages at or after the LSN, new pages past the reference and pages it cannot trust")
    void scanKeepsChangedPages() throws IOException {
        Path file = dir.resolve("16384");
        byte[] data = new byte[6 * BS];
        page(data, 0, 0x1_0000_0100L); // before
        page(data, 1, 0x1_0000_0200L); // exactly at
        page(data, 2, 0x2_0000_0000L); // after
        // block 3: all zero (a new page): kept
        page(data, 4, 0x1_0000_0000L);
        data[4 * BS + 13] = (byte) 0xFF; // pd_lower beyond pd_upper: not a valid header, kept
        page(data, 5, 0x1_0000_0000L); // old, but past the reference's length
        Files.write(file, data);

        List<Integer> kept = new ArrayList<>();
        long length = parse(encodeScan(file, 5, 0x1_0000_0200L), kept);
        assertThat(kept).containsExactly(1, 2, 3, 4, 5);
        assertThat(length).isEqualTo(6L * BS);
    }

    @Test
    @DisplayName("the last range of a file (read to its end) starts at its offset and ends where the file does")
    void lastRangeReadsToTheEnd() throws IOException {
        Path file = dir.resolve("16387");
        byte[] data = new byte[5 * BS];
        for (int b = 0; b < 5; b++) {
            page(data, b, 100 + b);
        }
        Files.write(file, data);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                IncrementalInput in = IncrementalInput.scan(ch, 2L * BS, Long.MAX_VALUE, BS, 5, 103, b -> false)) {
            in.transferTo(plain);
            assertThat(in.bytesRead()).isEqualTo(3L * BS);
            assertThat(in.end()).isEqualTo(5L * BS);
        }
        List<Integer> kept = new ArrayList<>();
        assertThat(parse(plain.toByteArray(), kept)).isEqualTo(5L * BS);
        assertThat(kept).containsExactly(3, 4);

        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                IncrementalInput in = IncrementalInput.listed(ch, 2L * BS, Long.MAX_VALUE, BS, new int[] {1, 2, 4})) {
            in.transferTo(listed);
        }
        List<Integer> named = new ArrayList<>();
        assertThat(parse(listed.toByteArray(), named)).isEqualTo(5L * BS);
        assertThat(named).containsExactly(2, 4);
    }

    @Test
    @DisplayName("a listed read stores only the named blocks that exist, and the file's length")
    void listedReadsOnlyNamedBlocks() throws IOException {
        Path file = dir.resolve("16385");
        byte[] data = new byte[4 * BS];
        for (int b = 0; b < 4; b++) {
            page(data, b, b);
        }
        Files.write(file, data);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = IncrementalInput.listed(ch, 0, Long.MAX_VALUE, BS, new int[] {1, 3, 9})) {
            in.transferTo(plain);
        }
        List<Integer> kept = new ArrayList<>();
        List<byte[]> blocks = new ArrayList<>();
        IncrementalFormat.Sink sink = new IncrementalFormat.Sink("test", (n, b) -> {
            kept.add(n);
            blocks.add(b);
        });
        sink.write(plain.toByteArray());
        assertThat(sink.finish()).isEqualTo(4L * BS);
        assertThat(kept).containsExactly(1, 3);
        assertThat(PageLsn.lsn(blocks.get(1), 0)).isEqualTo(3);
        assertThat(plain.size()).isEqualTo(IncrementalFormat.objectSize(2, BS));
    }

    @Test
    @DisplayName("a damaged block, a damaged trailer or a truncated object is refused, naming the object")
    void damageIsRefused() throws IOException {
        Path file = dir.resolve("16386");
        byte[] data = new byte[2 * BS];
        page(data, 0, 5);
        page(data, 1, 5);
        Files.write(file, data);
        byte[] good = encodeScan(file, 0, 0);

        byte[] flipped = good.clone();
        flipped[IncrementalFormat.HEADER_BYTES + 8 + 100] ^= 1;
        assertThatThrownBy(() -> parse(flipped, new ArrayList<>())).isInstanceOf(DataError.class)
                .hasMessageContaining("obj").hasMessageContaining("block 0 fails its CRC-32C");

        byte[] trailer = good.clone();
        trailer[trailer.length - 10] ^= 1;
        assertThatThrownBy(() -> parse(trailer, new ArrayList<>())).hasMessageContaining("trailer");

        byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> parse(cut, new ArrayList<>())).hasMessageContaining("ends early");

        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> parse(longer, new ArrayList<>())).hasMessageContaining("follow its trailer");
    }

    private static byte[] encodeScan(Path file, long referenceBlocks, long since) throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = IncrementalInput.scan(ch, 0, Long.MAX_VALUE, BS, referenceBlocks, since, b -> false)) {
            in.transferTo(plain);
        }
        return plain.toByteArray();
    }

    private static long parse(byte[] object, List<Integer> kept) throws IOException {
        IncrementalFormat.Sink sink = new IncrementalFormat.Sink("obj", (n, b) -> kept.add(n));
        // In uneven pieces, as a decoder hands them over.
        for (int at = 0; at < object.length; at += 1000) {
            sink.write(object, at, Math.min(1000, object.length - at));
        }
        return sink.finish();
    }

    /** A minimal valid heap page header with {@code lsn}. */
    static void page(byte[] data, int block, long lsn) {
        int o = block * BS;
        putInt(data, o, (int) (lsn >>> 32));
        putInt(data, o + 4, (int) lsn);
        putShort(data, o + 12, 28); // pd_lower
        putShort(data, o + 14, 8000); // pd_upper
        putShort(data, o + 16, BS); // pd_special
        putShort(data, o + 18, BS | 4); // pd_pagesize_version
        data[o + 8000] = 42;
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
