package dev.walstow.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.config.WalstowConfig.EncryptionConfig;
import dev.walstow.error.WalstowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check's keys step: each way the keys can be wrong is named, and working keys pass. */
class KeyCheckTest {
    @TempDir
    static Path keys;

    private static Path pub;
    private static Path sec;
    private static Path otherSec;
    private static Path lockedSec;
    private static Path passphrase;
    private static Path lockedPub;

    @BeforeAll
    static void pairs() throws IOException {
        pub = keys.resolve("archive.pub.asc");
        sec = keys.resolve("archive.sec.asc");
        otherSec = keys.resolve("other.sec.asc");
        lockedPub = keys.resolve("locked.pub.asc");
        lockedSec = keys.resolve("locked.sec.asc");
        KeyGenerator.generate("archive", Optional.empty(), pub, sec);
        KeyGenerator.generate("other", Optional.empty(), keys.resolve("other.pub.asc"), otherSec);
        KeyGenerator.generate("locked", Optional.of("right".toCharArray()), lockedPub, lockedSec);
        passphrase = Files.writeString(keys.resolve("passphrase"), "wrong\n");
        Files.setPosixFilePermissions(passphrase, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    @DisplayName("a recipient file that does not exist fails, naming the file")
    void missingRecipient() {
        Path missing = keys.resolve("nope.asc");
        assertThatThrownBy(() -> KeyCheck.run(recipient(missing, null, null)))
                .isInstanceOfSatisfying(WalstowException.class, e -> assertThat(e.oneLine())
                        .startsWith("[WS-LOCAL-IO]").contains(missing.toString()));
    }

    @Test
    @DisplayName("a recipient file that holds no key fails as not a valid OpenPGP public key")
    void garbageRecipient() throws IOException {
        Path garbage = Files.writeString(keys.resolve("garbage.asc"), "this is not a key\n");
        assertThatThrownBy(() -> KeyCheck.run(recipient(garbage, null, null)))
                .isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG);
                    assertThat(e.getMessage()).contains(garbage.toString());
                });
    }

    @Test
    @DisplayName("a secret key configured as the recipient fails, saying so")
    void secretAsRecipient() {
        assertThatThrownBy(() -> KeyCheck.run(recipient(sec, null, null)))
                .isInstanceOfSatisfying(WalstowException.class, e -> assertThat(e.getMessage())
                        .contains("holds a secret key where the public key (recipient) is expected"));
    }

    @Test
    @DisplayName("a recipient alone encrypts a probe and passes, saying no secret key is configured")
    void recipientOnly() {
        assertThat(KeyCheck.run(recipient(pub, null, null))).contains("encrypts a probe", "no secret key configured");
    }

    @Test
    @DisplayName("the recipient's own secret key decrypts the probe")
    void matchingSecret() {
        assertThat(KeyCheck.run(recipient(pub, sec, null))).contains("encrypts a probe and the secret key " + sec
                + " decrypts it");
    }

    @Test
    @DisplayName("a secret key of another pair fails as a key error: it does not decrypt what the recipient encrypts")
    void otherSecret() {
        assertThatThrownBy(() -> KeyCheck.run(recipient(pub, otherSec, null)))
                .isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                    assertThat(e.getMessage()).contains("the secret key " + otherSec + " does not decrypt what "
                            + "recipient");
                });
    }

    @Test
    @DisplayName("a wrong passphrase for the secret key fails as a key error")
    void wrongPassphrase() {
        assertThatThrownBy(() -> KeyCheck.run(recipient(lockedPub, lockedSec, passphrase)))
                .isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                    assertThat(e.getMessage()).contains("does not unlock");
                });
    }

    @Test
    @DisplayName("a passphrase alone encrypts and decrypts the probe")
    void symmetric() {
        assertThat(KeyCheck.run(new EncryptionConfig(true, Optional.empty(), Optional.empty(),
                Optional.of(passphrase)))).contains("passphrase encrypts a probe and decrypts it");
    }

    @Test
    @DisplayName("encryption off is said, not failed")
    void off() {
        assertThat(KeyCheck.run(new EncryptionConfig(false, Optional.empty(), Optional.empty(), Optional.empty())))
                .contains("encryption is off");
    }

    private static EncryptionConfig recipient(Path recipient, Path secret, Path passphraseFile) {
        return new EncryptionConfig(true, Optional.of(recipient), Optional.ofNullable(secret),
                Optional.ofNullable(passphraseFile));
    }
}
