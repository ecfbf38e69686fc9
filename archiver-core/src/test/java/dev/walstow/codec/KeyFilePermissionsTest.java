package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import dev.walstow.error.WalstowException;
import dev.walstow.runtime.Components;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A secret key or passphrase file other users can read or change is refused before it is read. */
class KeyFilePermissionsTest {
    @TempDir
    Path dir;

    Path secret;
    Path passphrase;

    @BeforeEach
    void files() throws IOException {
        secret = TestData.generate(dir, "k", Optional.empty()).secretKey();
        passphrase = TestData.ownerOnly(Files.writeString(dir.resolve("pass"), "a passphrase\n"));
    }

    @Test
    @DisplayName("a world-readable secret key file is a KEY error in one line naming the file, its mode and chmod 600")
    void worldReadableSecretKey() throws IOException {
        chmod(secret, "rw-r--r--");
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(secret, Optional.empty())).isInstanceOf(UserError.class)
                .satisfies(t -> assertThat(((WalstowException) t).code()).isEqualTo(ErrorCode.KEY))
                .satisfies(t -> assertThat(((WalstowException) t).oneLine()).startsWith("[WS-KEY] secret key file "
                        + secret + " is readable by other users (mode 0644) HINT: chmod 600 " + secret)
                        .doesNotContain("\n"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rw----r--", "rw-r-----", "rw-rw----", "rw-----w-", "rw----rw-", "rwxrwxrwx"})
    @DisplayName("any access for others, and group access to a file not owned by root, is refused")
    void openModesRefused(String mode) throws IOException {
        chmod(secret, mode);
        boolean allowedForRoot = mode.equals("rw-r-----");
        if (allowedForRoot && isRootOwned(secret)) {
            assertThat(OpenPgpKeys.readSecret(secret, Optional.empty()).keyIds()).hasSize(1);
            return;
        }
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(secret, Optional.empty()))
                .satisfies(t -> assertThat(((WalstowException) t).code()).isEqualTo(ErrorCode.KEY))
                .hasMessageContaining("by other users (mode 0" + octal(mode) + ")");
    }

    @Test
    @DisplayName("0600 and 0400 load; so does 0640 when root owns the file, as PostgreSQL allows for ssl_key_file")
    void privateModesLoad() throws IOException {
        assertThat(OpenPgpKeys.readSecret(secret, Optional.empty()).keyIds()).hasSize(1);
        chmod(secret, "r--------");
        assertThat(OpenPgpKeys.readSecret(secret, Optional.empty()).keyIds()).hasSize(1);
    }

    @Test
    @DisplayName("0640 is refused once the file is owned by another user than root")
    void groupReadableNotRootOwned() throws IOException {
        assumeTrue(isRootOwned(secret), "chown needs root");
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(secret, nobody);
        chmod(secret, "rw-r-----");
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(secret, Optional.empty()))
                .hasMessageContaining("is readable by other users (mode 0640)");
    }

    @Test
    @DisplayName("a passphrase file is held to the same rule")
    void passphraseFile() throws IOException {
        assertThat(Components.readPassphrase(passphrase)).containsExactly("a passphrase".toCharArray());
        chmod(passphrase, "rw-r--r--");
        assertThatThrownBy(() -> Components.readPassphrase(passphrase))
                .satisfies(t -> assertThat(((WalstowException) t).oneLine()).startsWith("[WS-KEY] passphrase file "
                        + passphrase + " is readable by other users (mode 0644) HINT: chmod 600 " + passphrase));
    }

    @Test
    @DisplayName("a public key file may be world-readable")
    void publicKeyMayBeReadable() throws IOException {
        Path pub = dir.resolve("k.pub.asc");
        chmod(pub, "rw-r--r--");
        assertThat(OpenPgpKeys.readRecipient(pub)).isNotNull();
    }

    @Test
    @DisplayName("a missing file is reported by the read, not by the permission check")
    void missingFile() {
        assertThatThrownBy(() -> OpenPgpKeys.readSecret(dir.resolve("missing.asc"), Optional.empty()))
                .hasMessageContaining("Cannot read secret key file");
    }

    private static void chmod(Path file, String mode) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private static boolean isRootOwned(Path file) throws IOException {
        return Files.getOwner(file).getName().equals("root");
    }

    private static String octal(String mode) {
        return KeyFilePermissions.octal(PosixFilePermissions.fromString(mode)).substring(1);
    }
}
