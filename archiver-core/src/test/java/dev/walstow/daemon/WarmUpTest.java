package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmUpTest {
    private final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));

    @TempDir
    Path tmp;

    @Test
    @DisplayName("an idle daemon's warm-up pushes and fetches back its bounded number of rounds, then removes its scratch repository")
    void idleRunsAllRounds() throws Exception {
        Path dir = tmp.resolve("warm-up");
        assertThat(new WarmUp(codec, dir, () -> false, 3, 0).run()).isEqualTo(new WarmUp.Rounds(3, 3));
        assertThat(dir).doesNotExist();
    }

    @Test
    @DisplayName("with only the public key (an archiving host) the warm-up still pushes every round and fetches none")
    void publicKeyOnlyPushes() throws Exception {
        Path pub = tmp.resolve("k.pub.asc");
        Path sec = tmp.resolve("k.sec.asc");
        KeyGenerator.generate("walstow test <warm-up@example.org>", Optional.empty(), pub, sec);
        WalCodec encryptOnly = new WalCodec(new CodecSettings(1,
                new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub), Optional.empty())));
        WalCodec withSecret = new WalCodec(new CodecSettings(1, new Encryption.PublicKey(
                OpenPgpKeys.readRecipient(pub), Optional.of(OpenPgpKeys.readSecret(sec, Optional.empty())))));

        assertThat(new WarmUp(encryptOnly, tmp.resolve("a"), () -> false, 2, 0).run())
                .isEqualTo(new WarmUp.Rounds(2, 0));
        assertThat(new WarmUp(withSecret, tmp.resolve("b"), () -> false, 2, 0).run())
                .isEqualTo(new WarmUp.Rounds(2, 2));
    }

    @Test
    @DisplayName("warm-up stops at once when real work is queued, and between rounds when it arrives")
    void stopsForRealWork() throws Exception {
        assertThat(new WarmUp(codec, tmp.resolve("a"), () -> true, 24, 0).run().pushed()).isZero();
        AtomicInteger checks = new AtomicInteger();
        assertThat(new WarmUp(codec, tmp.resolve("b"), () -> checks.incrementAndGet() > 2, 24, 0).run().pushed())
                .isEqualTo(2);
    }

    @Test
    @DisplayName("what a killed daemon left of its warm-up is replaced, not an obstacle")
    void leftoverIsReplaced() throws Exception {
        Path dir = tmp.resolve("warm-up");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("repository"), "a file where the scratch repository's directory goes");
        assertThat(new WarmUp(codec, dir, () -> false, 1, 0).run().pushed()).isEqualTo(1);
        assertThat(dir).doesNotExist();
    }

    @Test
    @DisplayName("no warm-up where pg_wal's file system is short of space: a full pg_wal stops PostgreSQL")
    void skippedWhenShortOfSpace() throws Exception {
        Path dir = tmp.resolve("warm-up");
        assertThat(new WarmUp(codec, dir, () -> false, 3, Long.MAX_VALUE).run()).isEqualTo(new WarmUp.Rounds(0, 0));
        assertThat(dir).doesNotExist();
    }

    @Test
    @DisplayName("the synthetic segment compresses like WAL (about 3-6x), so zstd does representative work")
    void syntheticLooksLikeWal() throws Exception {
        byte[] plain = WarmUp.syntheticSegment();
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        codec.encode(new ByteArrayInputStream(plain), stored);
        double ratio = (double) plain.length / stored.size();
        assertThat(ratio).isBetween(2.5, 8.0);
    }
}
