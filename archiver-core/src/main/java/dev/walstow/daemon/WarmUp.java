package dev.walstow.daemon;

import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.ArchivePush;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.runtime.LocalFiles;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import dev.walstow.wal.XLogLongPageHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the daemon's own archive-push and archive-get code over synthetic WAL while a freshly started daemon is idle,
 * so that the JIT has compiled the hot paths before the first backlog or recovery rather than during it.
 *
 * <p>Why the whole path and not just the codec: the first version encoded and decoded byte arrays in memory. JFR
 * then still showed ~1.7 s of C2 compilation inside the first 96 restore calls (file channel streams, the OpenPGP
 * partial-length reader, the buffered spool writer, and recompilation of codec methods whose type profile had only
 * seen in-memory streams), i.e. a quarter of the CPU of that recovery (docs/benchmarks.md, end to end). Here every
 * round pushes a synthetic segment file through {@link ArchivePush} into a scratch posix repository and, when the
 * secret key is at hand, fetches it back through {@link ArchiveGet}: the same classes, stream types and call sites
 * as real work (an S3 repository's client is the only part left cold).
 *
 * <p>The scratch repository lives in {@code pg_wal/.walstow/warm-up} ({@link SpoolLayout#warmUpDirectory()}), is
 * bound to a made-up cluster and is deleted when the warm-up ends; nothing touches the real repository, and the
 * made-up system identifier cannot match a real cluster's WAL. Disk use is bounded by one segment, one object and one
 * restored copy.
 *
 * <p>It never competes with real work: it checks {@code busy} before every round and stops as soon as anything is
 * queued or fetched (real work warms the JIT just as well). Bounded: at most {@code rounds} rounds of one 4 MiB
 * segment, about 40 ms of one core each.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /**
     * 192 segments of 4 MiB: the same 768 MiB of plaintext (about 7 s of one core) as 48 segments of 16 MiB, with
     * four times the per-object work (key agreement, packet and file set-up, validation, markers). That once-per-object
     * code is what the JIT was still compiling during the first backlog; the per-chunk loops are compiled either way.
     * Measured, drain of 96 segments right after start (docs/benchmarks.md): 4.30 s with this against 4.69 s with
     * 48 x 16 MiB (median of 10 and 16 drains).
     */
    static final int DEFAULT_ROUNDS = 192;
    private static final Duration START_DELAY = Duration.ofSeconds(1);
    private static final WalSegmentSize SEGMENT = new WalSegmentSize(4 << 20);
    /** Made up. Even a real cluster's identifier would do no harm: the scratch repository is only ever its own. */
    private static final ClusterIdentity SCRATCH_CLUSTER = new ClusterIdentity(0x5741_4C53_544F_5721L, 15, SEGMENT);
    /**
     * Below this much free space on pg_wal's filesystem the warm-up does not run: it needs ~15 MB at a time, and a daemon is
     * often restarted just when an archiving outage has filled pg_wal, where running out of space stops PostgreSQL.
     */
    static final long MIN_FREE_BYTES = 4L << 30;

    private final WalCodec codec;
    private final Path directory;
    private final BooleanSupplier busy;
    private final int rounds;
    private final long minFreeBytes;

    WarmUp(WalCodec codec, Path directory, BooleanSupplier busy, int rounds) {
        this(codec, directory, busy, rounds, MIN_FREE_BYTES);
    }

    WarmUp(WalCodec codec, Path directory, BooleanSupplier busy, int rounds, long minFreeBytes) {
        this.codec = codec;
        this.directory = directory;
        this.busy = busy;
        this.rounds = rounds;
        this.minFreeBytes = minFreeBytes;
    }

    void startInBackground() {
        Thread.ofPlatform().daemon().name("walstow-warm-up").priority(Thread.MIN_PRIORITY).start(this::runLogged);
    }

    /** Segments pushed into the scratch repository, and fetched back (none without the secret key). */
    record Rounds(int pushed, int fetched) {}

    private void runLogged() {
        ThreadNice.lowerCurrent(ThreadNice.IDLE);
        try {
            // The ready scanner starts at the same time: give it a moment to queue a backlog, which stops the warm-up.
            Thread.sleep(START_DELAY);
        } catch (InterruptedException e) {
            return;
        }
        long started = System.nanoTime();
        try {
            Rounds done = run();
            LOG.info("warm-up: {} of {} rounds ({} fetched back) in {} ms{}", done.pushed(), rounds, done.fetched(),
                    (System.nanoTime() - started) / 1_000_000,
                    done.pushed() < rounds ? " (stopped: real work arrived)" : "");
        } catch (IOException | RuntimeException e) {
            // Only speed is at stake: the same code runs for real segments, which report their own errors.
            LOG.warn("warm-up failed, continuing without it: {}", e.toString());
        }
    }

    /** @return the rounds completed before {@code busy} said stop */
    Rounds run() throws IOException {
        LocalFiles.deleteTree(directory);
        if (Files.getFileStore(directory.getParent()).getUsableSpace() < minFreeBytes) {
            LOG.info("warm-up skipped: less than {} MiB free on the file system of {}", minFreeBytes >> 20,
                    directory.getParent());
            return new Rounds(0, 0);
        }
        Path wal = Files.createDirectories(directory.resolve("pg_wal"));
        Path repoRoot = Files.createDirectories(directory.resolve("repository"));
        int done = 0;
        int fetched = 0;
        try (Repository scratch = new Repository(new PosixObjectStore(repoRoot))) {
            scratch.writeBinding(RepositoryBinding.of(SCRATCH_CLUSTER, "1970-01-01T00:00:00Z", "warm-up"));
            BoundRepository bound = BoundRepository.open(scratch, codec);
            ArchivePush push = new ArchivePush(bound);
            ArchiveGet get = new ArchiveGet(bound);
            byte[] plain = syntheticSegment();
            Path source = null;
            boolean decode = true;
            while (done < rounds && !busy.getAsBoolean()) {
                // A new name every round, so that each push stores an object rather than finding one.
                SegmentName name = SegmentName.of(new TimelineId(1), done + 1, SEGMENT);
                Path next = wal.resolve(name.fileName());
                // A valid first-page header, so that validation passes as for real WAL.
                XLogLongPageHeader.firstPageOf(name, SCRATCH_CLUSTER).writeTo(plain);
                if (source == null) {
                    Files.write(next, plain);
                } else {
                    Files.move(source, next, StandardCopyOption.ATOMIC_MOVE);
                    try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE)) {
                        channel.write(ByteBuffer.wrap(plain, 0, XLogLongPageHeader.LENGTH), 0);
                    }
                }
                source = next;
                push.push(name, source);
                if (decode) {
                    try {
                        get.get(name, wal.resolve("RECOVERYXLOG"));
                        fetched++;
                    } catch (WalstowException noSecretKey) {
                        decode = false; // an archiving host with only the public key: it never decodes anyway
                    }
                }
                scratch.store().delete(RepositoryLayout.keyOf(name));
                done++;
            }
        } finally {
            LocalFiles.deleteTree(directory);
        }
        return new Rounds(done, fetched);
    }

    /**
     * A segment resembling WAL to the compressor: 8 KiB pages of record-like runs (repeated headers and small
     * integers), some incompressible bytes (full-page images of random data) and zero tails, ratio ~4 like real WAL.
     */
    static byte[] syntheticSegment() {
        byte[] data = new byte[SEGMENT.bytes()];
        SplittableRandom random = new SplittableRandom(42);
        for (int page = 0; page < data.length; page += 8192) {
            int kind = random.nextInt(10);
            int end = page + 8192;
            int pos = page;
            if (kind == 0) {
                while (pos < end) {
                    data[pos++] = (byte) random.nextInt();
                }
            } else {
                int fill = page + 8192 - random.nextInt(2048);
                while (pos < fill) {
                    data[pos++] = (byte) (pos % 61 < 40 ? pos % 61 : random.nextInt(4));
                }
            }
        }
        return data;
    }
}
