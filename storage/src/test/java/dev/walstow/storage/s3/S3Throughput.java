package dev.walstow.storage.s3;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StoredObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;

/**
 * Throughput of {@link S3ObjectStore} against s3proxy on loopback (benchmarks/scripts/s3-bench.sh runs it):
 * upload and download MiB/s at concurrency 1/4/8/16 with the Netty and the CRT HTTP client, and the time to drain
 * a backlog of 96 encoded 16 MiB segments into S3 versus into a posix repository on the same disk.
 * Not a test: a program with bounded loops that prints a Markdown table.
 */
public final class S3Throughput {
    private static final int OBJECT = 16 << 20;

    private S3Throughput() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/walstow-s3-bench");
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Files.createDirectories(work);
        byte[] payload = new byte[OBJECT];
        new Random(1).nextBytes(payload);
        ObjectMeta meta = ObjectMeta.ofPlain(payload);
        // Client comparison with s3proxy keeping objects in memory: the disk is the noisiest part of this machine.
        try (S3ProxyServer server = S3ProxyServer.startInMemory()) {
            server.createBucket("bench");
            AtomicInteger run = new AtomicInteger();
            System.out.println("| client | concurrency | upload MiB/s | download MiB/s | round |");
            System.out.println("|---|---:|---:|---:|---:|");
            // Interleaved, so that a slow phase of the machine hits both clients alike; round 0 is a warm-up.
            for (int round = 0; round < 3; round++) {
                for (int c : new int[] {1, 4, 8, 16}) {
                for (String engine : List.of("netty", "crt")) {
                    run.incrementAndGet();
                    boolean warmup = round == 0;
                    S3Settings s = server.settings("bench", "r" + run.get() + "/")
                            .withTimeouts(S3Settings.Timeouts.DEFAULT);
                    try (S3ObjectStore store = S3ObjectStore.open(s, http(engine, s))) {
                        double up = rate(objects, c, i -> check(store.putIfAbsent("o" + i, payload, meta)));
                        double down = rate(objects, c, i -> drain(store, "o" + i));
                        rate(objects, 8, i -> store.delete("o" + i)); // keep the in-memory store small
                        if (!warmup) {
                            System.out.printf("| %s | %d | %.0f | %.0f | %d |%n", engine, c, up, down, round);
                        }
                    }
                }
                }
            }
        }
        try (S3ProxyServer server = S3ProxyServer.start(Files.createTempDirectory(work, "s3proxy"))) {
            server.createBucket("bench");
            Path segments = Files.createDirectories(work.resolve("segments"));
            for (int i = 0; i < 96; i++) {
                payload[0] = (byte) i;
                Files.write(segments.resolve("seg" + i), payload);
            }
            System.out.println();
            System.out.println("| repository | workers | drain of 96 × 16 MiB (s) | MiB/s |");
            System.out.println("|---|---:|---:|---:|");
            for (int workers : new int[] {2, 4, 8}) {
                S3Settings s = server.settings("bench", "drain" + workers + "/");
                try (S3ObjectStore store = S3ObjectStore.open(s)) {
                    printDrain("s3 (s3proxy, loopback)", workers, drain(store, segments, workers));
                }
                Path repo = Files.createDirectories(work.resolve("posix" + workers));
                try (ObjectStore store = new PosixObjectStore(repo)) {
                    printDrain("posix (same disk)", workers, drain(store, segments, workers));
                }
            }
        }
    }

    private static SdkAsyncHttpClient http(String engine, S3Settings s) {
        return switch (engine) {
            case "netty" -> S3Clients.netty(s);
            default -> AwsCrtAsyncHttpClient.builder().maxConcurrency(s.maxConcurrency())
                    .connectionTimeout(s.timeouts().connect()).build();
        };
    }

    private interface Op {
        void run(int i) throws Exception;
    }

    /** MiB/s of {@code n} operations on 16 MiB objects, {@code concurrency} at a time. */
    private static double rate(int n, int concurrency, Op op) throws Exception {
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                all.add(pool.submit(() -> {
                    op.run(k);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(10, java.util.concurrent.TimeUnit.MINUTES);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return n * (OBJECT / 1048576.0) / seconds;
    }

    private static void check(PutResult r) {
        if (!(r instanceof PutResult.Created)) {
            throw new IllegalStateException("expected a new object, got " + r);
        }
    }

    private static void drain(S3ObjectStore store, String key) throws Exception {
        try (StoredObject o = store.get(key).orElseThrow(); InputStream in = o.content()) {
            if (in.transferTo(java.io.OutputStream.nullOutputStream()) != OBJECT) {
                throw new IllegalStateException("short read of " + key);
            }
        }
    }

    private static Duration drain(ObjectStore store, Path segments, int workers) throws Exception {
        long start = System.nanoTime();
        rate(96, workers, i -> {
            Path file = segments.resolve("seg" + i);
            check(store.putIfAbsent("wal/0000000100000000/seg" + i, file,
                    new ObjectMeta("ab".repeat(32), OBJECT, "zstd+openpgp")));
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void printDrain(String what, int workers, Duration d) {
        System.out.printf("| %s | %d | %.1f | %.0f |%n", what, workers, d.toMillis() / 1000.0,
                96 * 16 / (d.toMillis() / 1000.0));
    }
}
