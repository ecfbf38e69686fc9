package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation as docs/runbook.md describes it: archiving hosts switch {@code recipient} to a new key, and restore
 * hosts keep one {@code secret} file holding the old and the new secret key, so that objects made for either one
 * restore. The decryptor must pick the key each object names.
 */
class KeyRotationTest {
    @TempDir
    static Path dir;
    static TestData.KeyPair oldPair;
    static TestData.KeyPair newPair;
    static byte[] oldObject;
    static byte[] newObject;
    static final byte[] OLD_WAL = TestData.compressible(64 * 1024, 1);
    static final byte[] NEW_WAL = TestData.compressible(64 * 1024, 2);

    @BeforeAll
    static void archiveBeforeAndAfterRotation() throws IOException {
        oldPair = TestData.generate(dir, "old", Optional.empty());
        newPair = TestData.generate(dir, "new", Optional.empty());
        oldObject = TestData.encode(TestData.codec(oldPair.encryptOnly()), OLD_WAL);
        newObject = TestData.encode(TestData.codec(newPair.encryptOnly()), NEW_WAL);
    }

    @Test
    @DisplayName("one binary secret key file with both keys (gpg --export-secret-keys OLD NEW) restores objects of either key")
    void binaryKeyringWithBothKeys() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(dearmor(oldPair.secretKey()));
        both.write(dearmor(newPair.secretKey()));
        assertRestoresBoth(Files.write(dir.resolve("both.gpg"), both.toByteArray()));
    }

    @Test
    @DisplayName("the same with both keys in one armored block (gpg --export-secret-keys --armor OLD NEW)")
    void armoredKeyringWithBothKeys() throws IOException {
        ByteArrayOutputStream armored = new ByteArrayOutputStream();
        try (var out = new org.bouncycastle.bcpg.ArmoredOutputStream(armored)) {
            out.write(dearmor(oldPair.secretKey()));
            out.write(dearmor(newPair.secretKey()));
        }
        assertRestoresBoth(Files.write(dir.resolve("both.asc"), armored.toByteArray()));
    }

    @Test
    @DisplayName("the same with two armored key files glued together (cat old.sec.asc new.sec.asc)")
    void concatenatedArmoredFiles() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(Files.readAllBytes(oldPair.secretKey()));
        both.write(Files.readAllBytes(newPair.secretKey()));
        assertRestoresBoth(Files.write(dir.resolve("cat.asc"), both.toByteArray()));
    }

    @Test
    @DisplayName("a recipient file with the old and the new public key glued together is refused, not half used")
    void twoRecipientsAreRefused() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(Files.readAllBytes(oldPair.publicKey()));
        both.write(Files.readAllBytes(newPair.publicKey()));
        Path file = Files.write(dir.resolve("two.pub.asc"), both.toByteArray());
        assertThatThrownBy(() -> OpenPgpKeys.readRecipient(file)).hasMessageContaining("exactly one recipient");
    }

    private static void assertRestoresBoth(Path secretKeys) throws IOException {
        SecretKeys secrets = OpenPgpKeys.readSecret(TestData.ownerOnly(secretKeys), Optional.empty());
        assertThat(secrets.keyIds()).hasSize(2);
        WalCodec restoreHost = TestData.codec(new Encryption.PublicKey(OpenPgpKeys.readRecipient(newPair.publicKey()),
                Optional.of(secrets)));
        assertThat(TestData.decode(restoreHost, oldObject)).isEqualTo(OLD_WAL);
        assertThat(TestData.decode(restoreHost, newObject)).isEqualTo(NEW_WAL);
    }

    private static byte[] dearmor(Path armored) throws IOException {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(armored))) {
            return in.readAllBytes();
        }
    }
}
