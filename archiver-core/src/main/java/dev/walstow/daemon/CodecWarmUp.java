package dev.walstow.daemon;

import dev.walstow.codec.WalCodec;
import dev.walstow.error.WalstowException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the codec over synthetic WAL while a freshly started daemon is idle, so that the JIT has compiled the hot
 * paths (SHA-256, AES-CFB, the OpenPGP and zstd streams) before the first backlog or recovery rather than during
 * it: measured with JFR, a cold daemon spent ~1.5 CPU-s compiling while it drained its first 96 segments
 * (docs/benchmarks.md, end to end). A resident daemon (systemd) is then as fast on its first segment as after a
 * day of archiving.
 *
 * <p>It never competes with real work: it checks {@code busy} before every round and stops as soon as anything is
 * queued or fetched (real work warms the JIT just as well). Bounded: at most {@code rounds} encodes of one segment
 * (and decodes, when the secret key is at hand), about 50 ms of one core each.
 */
final class CodecWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(CodecWarmUp.class);
    static final int DEFAULT_ROUNDS = 24;
    private static final int SEGMENT = 16 << 20;

    private final WalCodec codec;
    private final BooleanSupplier busy;
    private final int rounds;

    CodecWarmUp(WalCodec codec, BooleanSupplier busy, int rounds) {
        this.codec = codec;
        this.busy = busy;
        this.rounds = rounds;
    }

    void startInBackground() {
        Thread.ofPlatform().daemon().name("walstow-warm-up").priority(Thread.MIN_PRIORITY).start(this::runLogged);
    }

    private void runLogged() {
        long started = System.nanoTime();
        try {
            int done = run();
            LOG.info("codec warm-up: {} of {} rounds in {} ms{}", done, rounds,
                    (System.nanoTime() - started) / 1_000_000, done < rounds ? " (stopped: real work arrived)" : "");
        } catch (IOException | RuntimeException e) {
            // Only speed is at stake: the same code runs for real segments, which report their own errors.
            LOG.warn("codec warm-up failed, continuing without it: {}", e.toString());
        }
    }

    /** @return the rounds completed before {@code busy} said stop */
    int run() throws IOException {
        byte[] plain = syntheticSegment();
        ByteArrayOutputStream stored = new ByteArrayOutputStream(SEGMENT / 3);
        boolean decode = true;
        int done = 0;
        while (done < rounds && !busy.getAsBoolean()) {
            stored.reset();
            codec.encode(new ByteArrayInputStream(plain), stored);
            if (decode) {
                try {
                    codec.decode(new ByteArrayInputStream(stored.toByteArray()), OutputStream.nullOutputStream());
                } catch (WalstowException noSecretKey) {
                    decode = false; // an archiving host with only the public key: it never decodes anyway
                }
            }
            done++;
        }
        return done;
    }

    /**
     * 16 MiB resembling WAL to the compressor: 8 KiB pages of record-like runs (repeated headers and small
     * integers), some incompressible bytes (full-page images of random data) and zero tails, ratio ~4 like real WAL.
     */
    static byte[] syntheticSegment() {
        byte[] data = new byte[SEGMENT];
        SplittableRandom random = new SplittableRandom(42);
        for (int page = 0; page < SEGMENT; page += 8192) {
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
