package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walstow.backup.BackupLayout;
import dev.walstow.catalog.EncryptedRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code walstow verify} as the archiving host and a restore host run it: what it prints and how it exits. */
class VerifyCommandTest {
    @TempDir
    Path dir;

    private EncryptedRepository repo;

    @BeforeEach
    void repository() {
        repo = EncryptedRepository.create(dir);
    }

    @AfterEach
    void close() {
        repo.close();
    }

    @Test
    @DisplayName("with a recipient only, verify says once, first, that content was not decrypted, and passes")
    void recipientOnlyPasses() throws IOException {
        Cli r = Cli.run("--config", config(null).toString(), "verify");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith(VerifyCommand.NOT_DECRYPTED + "\n");
        assertThat(Pattern.compile("content not decrypted:").matcher(r.out()).results().count()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("corrupt:").contains("verify: 6 objects present and consistent");
        assertThat(r.err()).doesNotContain("[WS-");
    }

    @Test
    @DisplayName("with a recipient only, a truncated segment is reported as corrupt and verify exits 9")
    void recipientOnlyFindsTruncation() throws IOException {
        String key = EncryptedRepository.segmentKey(EncryptedRepository.T1, 3);
        repo.truncate(key);

        Cli r = Cli.run("--config", config(null).toString(), "verify");

        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.out()).contains("corrupt: " + key + ":");
        assertThat(r.err()).contains("[WS-INTEGRITY] the repository has 1 problem(s)");
    }

    @Test
    @DisplayName("with a secret key that opens nothing, verify ends with one WS-KEY line and no corrupt lines")
    void wrongSecretIsOneKeyError() throws IOException {
        Cli r = Cli.run("--config", config(repo.otherSecretKey).toString(), "verify");

        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.out()).doesNotContain("corrupt:").doesNotContain("content not decrypted");
        assertThat(Pattern.compile("\\[WS-").matcher(r.err()).results().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("[WS-KEY] 6 object(s) cannot be decrypted with the configured key");
    }

    @Test
    @DisplayName("with the right secret key, verify decrypts everything and passes")
    void rightSecretPasses() throws IOException {
        Cli r = Cli.run("--config", config(repo.secretKey).toString(), "verify");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("verify: 6 objects found intact").doesNotContain("content not decrypted");
    }

    @Test
    @DisplayName("a chain whose middle backup is gone is printed as a broken chain, listed in the JSON, and verify "
            + "exits 9")
    void brokenChainFailsVerify() throws IOException {
        repo.chain(dir);
        String middle = EncryptedRepository.CHAIN.get(1);
        Files.delete(repo.root.resolve(BackupLayout.manifestKey(middle)));

        Cli r = Cli.run("--config", config(null).toString(), "verify");
        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.out()).contains("broken chain: the backup chain of " + EncryptedRepository.CHAIN.get(2)
                + " is broken: backup " + EncryptedRepository.CHAIN.get(2) + " builds on " + middle, "1 broken chains");
        assertThat(r.err()).contains("[WS-INTEGRITY] the repository has 1 problem(s)");

        Cli json = Cli.run("--config", config(repo.secretKey).toString(), "verify", "--output", "json");
        assertThat(json.exit()).as(json.toString()).isEqualTo(9);
        JsonNode doc = JsonDocument.parse(json.out());
        assertThat(doc.get("ok").booleanValue()).isFalse();
        assertThat(doc.get("broken_chains")).singleElement().extracting(JsonNode::asText).asString()
                .contains(EncryptedRepository.CHAIN.get(2), middle);
    }

    private Path config(Path secret) throws IOException {
        return Files.writeString(dir.resolve("walstow.toml"), """
                [repository]
                path = "%s"
                [encryption]
                recipient = "%s"
                %s
                [retry]
                attempts = 1
                """.formatted(repo.root, repo.publicKey, secret == null ? "" : "secret = \"" + secret + "\""));
    }
}
