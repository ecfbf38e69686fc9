package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CodecWarmUpTest {
    private final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));

    @Test
    @DisplayName("an idle daemon's warm-up runs its bounded number of rounds")
    void idleRunsAllRounds() throws Exception {
        assertThat(new CodecWarmUp(codec, () -> false, 3).run()).isEqualTo(3);
    }

    @Test
    @DisplayName("warm-up stops at once when real work is queued, and between rounds when it arrives")
    void stopsForRealWork() throws Exception {
        assertThat(new CodecWarmUp(codec, () -> true, 24).run()).isZero();
        AtomicInteger checks = new AtomicInteger();
        assertThat(new CodecWarmUp(codec, () -> checks.incrementAndGet() > 2, 24).run()).isEqualTo(2);
    }

    @Test
    @DisplayName("the synthetic segment compresses like WAL (about 3-6x), so zstd does representative work")
    void syntheticLooksLikeWal() throws Exception {
        byte[] plain = CodecWarmUp.syntheticSegment();
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        codec.encode(new ByteArrayInputStream(plain), stored);
        double ratio = (double) plain.length / stored.size();
        assertThat(ratio).isBetween(2.5, 8.0);
    }
}
