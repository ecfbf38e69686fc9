package dev.walstow.bench;

import dev.walstow.codec.CodecResult;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.storage.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-segment codec cost on real WAL (issue 2): one operation = one 16 MiB segment.
 *
 * <ul>
 *   <li>{@code encode}: read the segment file (page cache) + zstd + OpenPGP encryption + SHA-256, i.e.
 *       {@link WalCodec#encode} from a {@link FileInputStream} into a discarding stream.
 *   <li>{@code decode}: {@link WalCodec#decode} of the stored form (pre-encoded in memory at setup) into a
 *       discarding stream, SHA-256 included.
 * </ul>
 *
 * <p>Segments come from {@code -Dwalstow.bench.wal=DIR} (default {@code benchmarks/target/wal-sample}, made by
 * {@code benchmarks/scripts/make-wal-sample.sh}); files named like WAL segments (24 hex digits). They are visited
 * in a fixed shuffled order that carries on across iterations, because a sample's segments differ a lot (bulk
 * load vs. OLTP) and every iteration should see the mix. Optional {@code -Dwalstow.bench.segments=N} uses the
 * first N only.
 *
 * <p>Run single-threaded ({@code -t 1}): the score in ops/s times 16.777216 is MB/s per core. The auxiliary
 * counters {@code plainBytes} and {@code storedBytes} (per second) give MB/s directly and the compression ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
public class SegmentCodecBenchmark {

    static final String WAL_DIR_PROPERTY = "walstow.bench.wal";
    static final String SEGMENTS_PROPERTY = "walstow.bench.segments";

    /** Settings and the segment list, shared by encode and decode. */
    @State(Scope.Benchmark)
    public static class Codec {
        @Param({"1", "3"})
        public int level;

        @Param({"none", "pgp"})
        public String encryption;

        List<Path> segments;
        WalCodec codec;
        Path keyDir;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            segments = loadSegments();
            Encryption enc = switch (encryption) {
                case "none" -> new Encryption.None();
                case "pgp" -> {
                    keyDir = Files.createTempDirectory("walstow-bench-keys");
                    Path pub = keyDir.resolve("archive.pub.asc");
                    Path sec = keyDir.resolve("archive.sec.asc");
                    KeyGenerator.generate("walstow bench <bench@walstow.invalid>", Optional.empty(), pub, sec);
                    yield new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub),
                            Optional.of(OpenPgpKeys.readSecret(sec, Optional.empty())));
                }
                default -> throw new IllegalArgumentException("encryption must be none or pgp: " + encryption);
            };
            codec = new WalCodec(new CodecSettings(level, enc));
            selfCheck();
        }

        /** Round trip of the first segment: a benchmark of a broken codec is worthless. */
        private void selfCheck() throws IOException {
            Path first = segments.getFirst();
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            CodecResult enc;
            try (InputStream in = new FileInputStream(first.toFile())) {
                enc = codec.encode(in, stored);
            }
            String expected = Sha256.hex(Files.readAllBytes(first));
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            CodecResult dec = codec.decode(new ByteArrayInputStream(stored.toByteArray()), plain);
            if (!enc.sha256Hex().equals(expected) || !dec.sha256Hex().equals(expected)
                    || dec.plainSize() != Files.size(first) || !Sha256.hex(plain.toByteArray()).equals(expected)) {
                throw new IllegalStateException("codec round trip failed on " + first + ": " + enc + " / " + dec);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (keyDir != null) {
                try (Stream<Path> s = Files.list(keyDir)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(keyDir);
            }
        }
    }

    /** Decode input: every segment encoded once, kept in memory. */
    @State(Scope.Benchmark)
    public static class Stored {
        byte[][] objects;

        @Setup(Level.Trial)
        public void setUp(Codec c) throws IOException {
            objects = new byte[c.segments.size()][];
            for (int i = 0; i < objects.length; i++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(4 << 20);
                try (InputStream in = new FileInputStream(c.segments.get(i).toFile())) {
                    c.codec.encode(in, out);
                }
                objects[i] = out.toByteArray();
            }
            // Exact ratio over the whole sample (the aux counters weigh by segments visited per iteration).
            long plain = 0;
            long stored = 0;
            for (int i = 0; i < objects.length; i++) {
                plain += Files.size(c.segments.get(i));
                stored += objects[i].length;
            }
            System.out.printf("%nwalstow sample ratio: level=%d encryption=%s segments=%d plain=%d stored=%d ratio=%.3f%n",
                    c.level, c.encryption, objects.length, plain, stored, (double) plain / stored);
        }
    }

    /** Which segment comes next; carries on across iterations. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int advance(int size) {
            int i = next;
            next = (next + 1) % size;
            return i;
        }
    }

    /** Bytes per second, reported beside ops/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long plainBytes;
        public long storedBytes;

        @Setup(Level.Iteration)
        public void reset() {
            plainBytes = 0;
            storedBytes = 0;
        }
    }

    @Benchmark
    public CodecResult encode(Codec c, Cursor cursor, Bytes bytes) throws IOException {
        Path segment = c.segments.get(cursor.advance(c.segments.size()));
        CodecResult r;
        try (InputStream in = new FileInputStream(segment.toFile())) {
            r = c.codec.encode(in, OutputStream.nullOutputStream());
        }
        bytes.plainBytes += r.plainSize();
        bytes.storedBytes += r.storedSize();
        return r;
    }

    @Benchmark
    public CodecResult decode(Codec c, Stored s, Cursor cursor, Bytes bytes) throws IOException {
        byte[] object = s.objects[cursor.advance(s.objects.length)];
        CodecResult r = c.codec.decode(new ByteArrayInputStream(object), OutputStream.nullOutputStream());
        bytes.plainBytes += r.plainSize();
        bytes.storedBytes += r.storedSize();
        return r;
    }

    static List<Path> loadSegments() throws IOException {
        Path dir = Paths.get(System.getProperty(WAL_DIR_PROPERTY, "benchmarks/target/wal-sample"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("No WAL sample at " + dir.toAbsolutePath() + ": run"
                    + " benchmarks/scripts/make-wal-sample.sh " + dir + " or set -D" + WAL_DIR_PROPERTY + "=DIR");
        }
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(Path::getFileName))
                    .toList());
        }
        int limit = Integer.getInteger(SEGMENTS_PROPERTY, all.size());
        all = new ArrayList<>(all.subList(0, Math.min(limit, all.size())));
        if (all.isEmpty()) {
            throw new IllegalStateException("No WAL segment files (24 hex digits) in " + dir.toAbsolutePath());
        }
        Collections.shuffle(all, new Random(20251121L)); // same order for every run and parameter
        return List.copyOf(all);
    }
}
