package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.DataError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalCodecFailureTest {
    @TempDir
    static Path keys;
    static Encryption.PublicKey alice;
    static Encryption.PublicKey bob;
    static final byte[] PLAIN = TestData.random(300_000, 11);
    static final Encryption.Symmetric PASSPHRASE = new Encryption.Symmetric("right passphrase".toCharArray());

    @BeforeAll
    static void makeKeys() {
        alice = TestData.generate(keys, "alice", Optional.of(TestData.KEY_PASSPHRASE)).encryption();
        bob = TestData.generate(keys, "bob", Optional.empty()).encryption();
    }

    static String id(Encryption.PublicKey k) {
        return KeyIds.format(k.recipient().getKeyID());
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertDecodeFails(Encryption config, byte[] stored,
                                                                            ErrorCode code) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        return assertThatThrownBy(() -> TestData.codec(config).decode(new ByteArrayInputStream(stored), sink))
                .isInstanceOfSatisfying(DataError.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    @DisplayName("an object for a key, restored with no secret configured, is a KEY error naming the key ID")
    void noSecretConfigured() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(alice.withoutSecret()), PLAIN);
        for (Encryption config : List.of(new Encryption.None(), alice.withoutSecret())) {
            assertDecodeFails(config, stored, ErrorCode.KEY)
                    .hasMessageContaining("encrypted for key ID " + id(alice))
                    .hasMessageContaining("no [encryption] secret configured");
        }
    }

    @Test
    @DisplayName("an object for another key is a KEY error naming both key IDs")
    void wrongKey() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(alice), PLAIN);
        assertDecodeFails(bob, stored, ErrorCode.KEY).hasMessageContaining(id(alice)).hasMessageContaining(id(bob));
    }

    @Test
    @DisplayName("a passphrase object restored with a wrong passphrase is a KEY error")
    void wrongPassphrase() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(PASSPHRASE), PLAIN);
        assertDecodeFails(new Encryption.Symmetric("wrong passphrase".toCharArray()), stored, ErrorCode.KEY)
                .hasMessageContaining("passphrase")
                .hasMessageNotContaining("wrong passphrase").hasMessageNotContaining("right passphrase");
    }

    @Test
    @DisplayName("a passphrase object with only a key configured, and the reverse, are KEY errors")
    void modeMismatch() throws Exception {
        assertDecodeFails(alice, TestData.encode(TestData.codec(PASSPHRASE), PLAIN), ErrorCode.KEY)
                .hasMessageContaining("encrypted with a passphrase");
        assertDecodeFails(PASSPHRASE, TestData.encode(TestData.codec(alice), PLAIN), ErrorCode.KEY)
                .hasMessageContaining(id(alice));
        assertDecodeFails(new Encryption.None(), TestData.encode(TestData.codec(PASSPHRASE), PLAIN), ErrorCode.KEY)
                .hasMessageContaining("no [encryption] passphrase configured");
    }

    static byte[] flip(byte[] stored, int index) {
        byte[] copy = stored.clone();
        copy[index] ^= 0x10;
        return copy;
    }

    @ParameterizedTest(name = "bit flip at {0}% of the object")
    @ValueSource(ints = {30, 50, 75, 99})
    @DisplayName("a bit flip in an encrypted object is an INTEGRITY error")
    void bitFlipEncrypted(int percent) throws Exception {
        for (Encryption e : List.of(alice, PASSPHRASE)) {
            byte[] stored = TestData.encode(TestData.codec(e), PLAIN);
            int at = Math.min(stored.length - 1, stored.length * percent / 100);
            assertDecodeFails(e, flip(stored, at), ErrorCode.INTEGRITY);
        }
    }

    @Test
    @DisplayName("a bit flip in the last byte (the MDC) of an encrypted object is an INTEGRITY error")
    void bitFlipInMdc() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(alice), PLAIN);
        assertDecodeFails(alice, flip(stored, stored.length - 1), ErrorCode.INTEGRITY);
    }

    @ParameterizedTest(name = "bit flip at {0}% of the object")
    @ValueSource(ints = {0, 1, 50, 99, 100})
    @DisplayName("a bit flip in a plain zstd object (header, raw block, checksum) is an INTEGRITY error")
    void bitFlipPlain(int percent) throws Exception {
        // random data is stored in raw blocks: only the content checksum can notice a flip inside them
        byte[] stored = TestData.encode(TestData.codec(new Encryption.None()), PLAIN);
        // at 0: byte 1 of the magic (byte 4, the frame header descriptor, has an unused bit a flip may hit)
        int at = percent == 0 ? 1 : Math.min(stored.length - 1, stored.length * percent / 100);
        assertDecodeFails(new Encryption.None(), flip(stored, at), ErrorCode.INTEGRITY);
    }

    @ParameterizedTest(name = "cut to {0}% of its length")
    @ValueSource(ints = {1, 10, 50, 99, 100})
    @DisplayName("a truncated object is an INTEGRITY error in every mode, never a short output")
    void truncated(int percent) throws Exception {
        for (Encryption e : List.of(new Encryption.None(), alice, PASSPHRASE)) {
            byte[] stored = TestData.encode(TestData.codec(e), PLAIN);
            int keep = percent == 100 ? stored.length - 1 : stored.length * percent / 100;
            assertDecodeFails(e, Arrays.copyOf(stored, keep), ErrorCode.INTEGRITY);
        }
    }

    @Test
    @DisplayName("data after the zstd frame or after the OpenPGP message is an INTEGRITY error")
    void trailingGarbage() throws Exception {
        for (Encryption e : List.of(new Encryption.None(), alice, PASSPHRASE)) {
            byte[] stored = TestData.encode(TestData.codec(e), PLAIN);
            byte[] longer = Arrays.copyOf(stored, stored.length + 3);
            assertDecodeFails(e, longer, ErrorCode.INTEGRITY);
        }
        // a second, valid frame appended to a plain object is trailing data too
        byte[] frame = TestData.encode(TestData.codec(new Encryption.None()), PLAIN);
        byte[] twoFrames = Arrays.copyOf(frame, frame.length * 2);
        System.arraycopy(frame, 0, twoFrames, frame.length, frame.length);
        assertDecodeFails(new Encryption.None(), twoFrames, ErrorCode.INTEGRITY).hasMessageContaining("after");
    }

    @Test
    @DisplayName("an empty object or one in neither format is an INTEGRITY error")
    void unknownFormat() {
        assertDecodeFails(new Encryption.None(), new byte[0], ErrorCode.INTEGRITY).hasMessageContaining("empty");
        assertDecodeFails(new Encryption.None(), "hello world".getBytes(), ErrorCode.INTEGRITY);
    }

    @Test
    @DisplayName("a failing repository stream surfaces as the IOException itself, not as damaged data")
    void storedStreamFailure() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(alice), PLAIN);
        IOException boom = new IOException("connection reset");
        InputStream failing = new InputStream() {
            int served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served > stored.length / 2) {
                    throw boom;
                }
                int n = Math.min(len, 1000);
                System.arraycopy(stored, served, b, off, n);
                served += n;
                return n;
            }
        };
        assertThatThrownBy(() -> TestData.codec(alice).decode(failing, OutputStream.nullOutputStream()))
                .isSameAs(boom);
    }

    @Test
    @DisplayName("a failing plaintext source leaves an object that does not decode, not a valid short one")
    void encodeInputFailure() throws Exception {
        for (Encryption e : List.of(new Encryption.None(), alice, PASSPHRASE)) {
            IOException boom = new IOException("read error");
            InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(PLAIN), new InputStream() {
                @Override
                public int read() throws IOException {
                    throw boom;
                }
            });
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            assertThatThrownBy(() -> TestData.codec(e).encode(failing, stored)).isSameAs(boom);
            assertDecodeFails(e, stored.toByteArray(), ErrorCode.INTEGRITY);
        }
    }
}
