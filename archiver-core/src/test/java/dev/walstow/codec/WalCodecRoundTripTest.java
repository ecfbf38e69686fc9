package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WalCodecRoundTripTest {
    @TempDir
    static Path keys;
    static Encryption.PublicKey publicKey;

    @BeforeAll
    static void makeKeys() {
        publicKey = TestData.generate(keys, "roundtrip", Optional.of(TestData.KEY_PASSPHRASE)).encryption();
    }

    static List<Encryption> modes() {
        return List.of(new Encryption.None(), publicKey, new Encryption.Symmetric("s3cret pass".toCharArray()));
    }

    static Stream<Arguments> cases() {
        return modes().stream().flatMap(e -> Stream.of(
                Arguments.of(e, "random 1 MiB", TestData.random(1 << 20, 1), 3),
                Arguments.of(e, "compressible 1 MiB", TestData.compressible(1 << 20, 2), 3),
                Arguments.of(e, "compressible, level 1", TestData.compressible(300_000, 3), 1),
                Arguments.of(e, "compressible, level 19", TestData.compressible(300_000, 4), 19),
                Arguments.of(e, "compressible, fast level -5", TestData.compressible(300_000, 5), -5),
                Arguments.of(e, "empty", new byte[0], 3),
                Arguments.of(e, "one byte", new byte[] {42}, 3)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    @DisplayName("decode(encode(x)) gives x back, with the plaintext's SHA-256 and sizes on both sides")
    void roundTrip(Encryption encryption, String what, byte[] plain, int level) throws Exception {
        WalCodec codec = new WalCodec(new CodecSettings(level, encryption));
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        CodecResult encoded = codec.encode(new ByteArrayInputStream(plain), stored);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        CodecResult decoded = codec.decode(new ByteArrayInputStream(stored.toByteArray()), back);

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain));
        assertThat(back.toByteArray()).isEqualTo(plain);
        assertThat(encoded).isEqualTo(new CodecResult(sha, plain.length, stored.size()));
        assertThat(decoded).isEqualTo(encoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    @DisplayName("a 16 MiB segment round-trips in every mode, and compressible data shrinks")
    void segmentSized(Encryption encryption) throws Exception {
        byte[] plain = TestData.compressible(16 << 20, 7);
        WalCodec codec = TestData.codec(encryption);
        byte[] stored = TestData.encode(codec, plain);
        assertThat(stored.length).isLessThan(plain.length / 2);
        assertThat(TestData.decode(codec, stored)).isEqualTo(plain);
    }

    @Test
    @DisplayName("a plain object is one zstd frame with the content checksum flag set")
    void plainObjectIsChecksummedZstdFrame() throws Exception {
        byte[] stored = TestData.encode(TestData.codec(new Encryption.None()), TestData.compressible(5000, 8));
        assertThat(stored).startsWith(0x28, 0xB5, 0x2F, 0xFD);
        assertThat(stored[4] & 0x04).as("Content_Checksum_flag in the frame header descriptor").isEqualTo(0x04);
    }

    @Test
    @DisplayName("encrypted objects start with an OpenPGP packet and do not contain the plaintext")
    void encryptedObjectIsOpenPgp() throws Exception {
        byte[] plain = "0123456789abcdef".repeat(4096).getBytes();
        for (Encryption e : List.of(publicKey, new Encryption.Symmetric("pw".toCharArray()))) {
            byte[] stored = TestData.encode(TestData.codec(e), plain);
            assertThat(stored[0] & 0x80).isEqualTo(0x80);
            assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .doesNotContain(new String(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD},
                            java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("0123456789");
        }
    }

    @Test
    @DisplayName("one codec decodes plain and encrypted objects alike, so a repository may mix them")
    void mixedRepository() throws Exception {
        byte[] plain = TestData.random(10_000, 9);
        byte[] unencrypted = TestData.encode(TestData.codec(new Encryption.None()), plain);
        byte[] encrypted = TestData.encode(TestData.codec(publicKey.withoutSecret()), plain);
        WalCodec restorer = TestData.codec(publicKey);
        assertThat(TestData.decode(restorer, unencrypted)).isEqualTo(plain);
        assertThat(TestData.decode(restorer, encrypted)).isEqualTo(plain);
    }

    @Test
    @DisplayName("codecName says whether objects are encrypted")
    void codecName() {
        assertThat(TestData.codec(new Encryption.None()).codecName()).isEqualTo("zstd");
        assertThat(TestData.codec(publicKey).codecName()).isEqualTo("zstd+openpgp");
        assertThat(TestData.codec(new Encryption.Symmetric("x".toCharArray())).codecName()).isEqualTo("zstd+openpgp");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 20, 22, -8, Integer.MIN_VALUE})
    @DisplayName("levels outside 1..19 and -7..-1 are a configuration error")
    void levelValidated(int level) {
        assertThatThrownBy(() -> new CodecSettings(level, new Encryption.None()))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG))
                .hasMessageContaining(String.valueOf(level));
    }
}
