package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.WalstowException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenPgpKeysTest {
    @TempDir
    static Path dir;
    static TestData.KeyPair protectedPair;
    static TestData.KeyPair openPair;

    @BeforeAll
    static void keys() {
        protectedPair = TestData.generate(dir, "protected", Optional.of(TestData.KEY_PASSPHRASE));
        openPair = TestData.generate(dir, "open", Optional.empty());
    }

    static void assertCode(Throwable t, ErrorCode code) {
        assertThat(t).isInstanceOf(WalstowException.class);
        assertThat(((WalstowException) t).code()).isEqualTo(code);
    }

    @Test
    @DisplayName("readRecipient picks the encryption subkey, not the signing primary key")
    void picksEncryptionSubkey() throws Exception {
        var recipient = OpenPgpKeys.readRecipient(protectedPair.publicKey());
        assertThat(recipient.isMasterKey()).isFalse();
        assertThat(recipient.getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.ECDH);
        assertThat(OpenPgpKeys.readSecret(protectedPair.secretKey(), Optional.of(TestData.KEY_PASSPHRASE)).keyIds())
                .containsExactly(recipient.getKeyID());
    }

    @Test
    @DisplayName("a secret key file given as recipient, or a public one as secret, is a CONFIG error saying so")
    void swappedFiles() {
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(protectedPair.secretKey()))
                .satisfies(t -> assertCode(t, ErrorCode.CONFIG)).hasMessageContaining("secret key");
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(protectedPair.publicKey(), Optional.empty()))
                .satisfies(t -> assertCode(t, ErrorCode.CONFIG)).hasMessageContaining("public key");
    }

    @Test
    @DisplayName("a missing key file is LOCAL_IO saying so in words, a file that is not a key is CONFIG")
    void unreadableOrInvalid() throws Exception {
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(dir.resolve("missing.asc")))
                .satisfies(t -> assertCode(t, ErrorCode.LOCAL_IO))
                .hasMessageContaining("no such file: " + dir.resolve("missing.asc"))
                .hasMessageNotContaining("Exception");
        Path junk = Files.writeString(dir.resolve("junk.asc"), "this is not a key\n");
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(junk)).satisfies(t -> assertCode(t, ErrorCode.CONFIG));
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(junk, Optional.empty()))
                .satisfies(t -> assertCode(t, ErrorCode.CONFIG));
    }

    @Test
    @DisplayName("a protected secret key with a wrong or no passphrase fails at load with KEY, not at restore")
    void wrongPassphraseAtLoad() {
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(protectedPair.secretKey(), Optional.of("nope".toCharArray())))
                .satisfies(t -> assertCode(t, ErrorCode.KEY)).hasMessageNotContaining("nope");
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(protectedPair.secretKey(), Optional.empty()))
                .satisfies(t -> assertCode(t, ErrorCode.KEY)).hasMessageContaining("no passphrase is configured");
        assertThat(OpenPgpKeys.readSecret(openPair.secretKey(), Optional.empty()).keyIds()).hasSize(1);
    }

    @Test
    @DisplayName("a key whose encryption subkey expired, or with no encryption subkey, is refused as recipient")
    void expiredOrSignOnly() throws Exception {
        Path expired = writeKey("expired", true, 3600);
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(expired))
                .satisfies(t -> assertCode(t, ErrorCode.CONFIG)).hasMessageContaining("expired");
        Path signOnly = writeKey("signonly", false, 0);
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(signOnly))
                .satisfies(t -> assertCode(t, ErrorCode.CONFIG)).hasMessageContaining("no encryption-capable");
    }

    @Test
    @DisplayName("KeyGenerator writes the secret key 0600 and never overwrites an existing file")
    void keyGeneratorFiles() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(openPair.secretKey())))
                .isEqualTo("rw-------");
        assertThat(Files.readString(openPair.publicKey())).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        String before = Files.readString(openPair.secretKey());
        assertThatThrownBy(() -> KeyGenerator.generate("x", Optional.empty(), dir.resolve("new.pub"),
                openPair.secretKey())).satisfies(t -> assertCode(t, ErrorCode.USAGE));
        assertThat(Files.readString(openPair.secretKey())).isEqualTo(before);
        assertThat(dir.resolve("new.pub")).doesNotExist();
    }

    /** A key created a day ago; with an encryption subkey that expired after {@code validSeconds} if asked. */
    private static Path writeKey(String name, boolean withSubkey, long validSeconds) throws Exception {
        Date dayAgo = new Date(System.currentTimeMillis() - 86_400_000L);
        Ed25519KeyPairGenerator ed = new Ed25519KeyPairGenerator();
        ed.init(new Ed25519KeyGenerationParameters(new java.security.SecureRandom()));
        PGPSignatureSubpacketGenerator primaryAttrs = new PGPSignatureSubpacketGenerator();
        primaryAttrs.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION,
                new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, ed.generateKeyPair(), dayAgo), name,
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), primaryAttrs.generate(), null,
                new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512), null);
        if (withSubkey) {
            X25519KeyPairGenerator x = new X25519KeyPairGenerator();
            x.init(new X25519KeyGenerationParameters(new java.security.SecureRandom()));
            PGPSignatureSubpacketGenerator subAttrs = new PGPSignatureSubpacketGenerator();
            subAttrs.setKeyFlags(true, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);
            subAttrs.setKeyExpirationTime(true, validSeconds);
            gen.addSubKey(new BcPGPKeyPair(PublicKeyAlgorithmTags.ECDH, x.generateKeyPair(), dayAgo),
                    subAttrs.generate(), null);
        }
        Path file = dir.resolve(name + ".pub");
        try (OutputStream out = Files.newOutputStream(file)) {
            gen.generatePublicKeyRing().encode(out);
        }
        return file;
    }
}
