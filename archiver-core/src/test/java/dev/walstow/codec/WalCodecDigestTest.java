package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.walstow.error.DataError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which decodes may skip the SHA-256 of the plaintext ({@link WalCodec.Digest}), and that they still catch damage. */
class WalCodecDigestTest {
    @TempDir
    static Path keys;
    static Encryption.PublicKey key;
    static final byte[] PLAIN = TestData.compressible(1 << 20, 5);

    @BeforeAll
    static void makeKey() {
        key = TestData.generate(keys, "digest", Optional.empty()).encryption();
    }

    static CodecResult restore(Encryption e, byte[] stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodecResult r = TestData.codec(e).decode(new ByteArrayInputStream(stored), out,
                WalCodec.Digest.UNLESS_INTEGRITY_PROTECTED);
        assertThat(out.toByteArray()).isEqualTo(PLAIN);
        return r;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    @DisplayName("an encrypted object with a checksummed frame is restored without a SHA-256, and verify still gets one")
    void encryptedSkips() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(key), PLAIN);
        assertThat(restore(key, stored).sha256()).isEmpty();
        assertThat(TestData.codec(key).decode(new ByteArrayInputStream(stored), OutputStream.nullOutputStream())
                .sha256()).contains(sha256(PLAIN));
    }

    @Test
    @DisplayName("an unencrypted object always gets its SHA-256: nothing else in it is cryptographic")
    void unencryptedAlwaysDigested() throws Exception {
        Encryption none = new Encryption.None();
        byte[] stored = TestData.encode(TestData.codec(none), PLAIN);
        assertThat(restore(none, stored).sha256()).contains(sha256(PLAIN));
    }

    @Test
    @DisplayName("an encrypted object whose zstd frame has no content checksum gets a SHA-256")
    void uncheckedFrameDigested() throws Exception {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        try (OutputStream pgp = OpenPgpEncryptor.open(stored, key, 4096);
             ZstdOutputStream zstd = new ZstdOutputStream(pgp)) {
            zstd.setChecksum(false);
            zstd.write(PLAIN);
        }
        assertThat(restore(key, stored.toByteArray()).sha256()).contains(sha256(PLAIN));
    }

    @Test
    @DisplayName("a damaged byte anywhere in an encrypted object fails the restore decode although it skips SHA-256")
    void damageCaughtWithoutSha() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(key), PLAIN);
        // Past the session-key packet: inside the encrypted data, the frame, and its trailing checksum and MDC.
        for (int at : new int[] {stored.length / 3, stored.length / 2, stored.length - 30, stored.length - 2}) {
            byte[] damaged = stored.clone();
            damaged[at] ^= 0x10;
            assertThatThrownBy(() -> TestData.codec(key).decode(new ByteArrayInputStream(damaged),
                    OutputStream.nullOutputStream(), WalCodec.Digest.UNLESS_INTEGRITY_PROTECTED))
                    .as("byte %d of %d flipped", at, stored.length)
                    .isInstanceOf(DataError.class);
        }
    }
}
