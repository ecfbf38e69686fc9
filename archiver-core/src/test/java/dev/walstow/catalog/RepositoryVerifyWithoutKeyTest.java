package dev.walstow.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.backup.BackupLayout;
import dev.walstow.wal.TimelineId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify on the archiving host (a recipient, no secret key), and verify with a key that opens nothing. */
class RepositoryVerifyWithoutKeyTest {
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
    @DisplayName("without the secret key an intact encrypted repository passes, and the report says nothing was decrypted")
    void intactPassesWithoutKey() {
        RepositoryVerify.Report r = repo.verify(repo.recipientOnly());

        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.decrypted()).isFalse();
        assertThat(r.found()).isEqualTo(6); // the backup label and segments 2 to 6
        assertThat(r.undecryptable()).isEmpty();
    }

    @Test
    @DisplayName("without the secret key a truncated object is still found, as corrupt, by its key")
    void truncatedFoundWithoutKey() {
        String key = EncryptedRepository.segmentKey(EncryptedRepository.T1, 4);
        repo.truncate(key);

        RepositoryVerify.Report r = repo.verify(repo.recipientOnly());

        assertThat(r.corrupt()).singleElement().asString().startsWith(key + ":");
        assertThat(r.missing()).isEmpty();
        assertThat(r.undecryptable()).isEmpty();
    }

    @Test
    @DisplayName("without the secret key a backup's missing object and a missing WAL segment are found")
    void missingFoundWithoutKey() throws IOException {
        Files.delete(repo.root.resolve(BackupLayout.backupLabelKey(EncryptedRepository.LABEL)));
        Files.delete(repo.root.resolve(EncryptedRepository.segmentKey(EncryptedRepository.T1, 5)));

        RepositoryVerify.Report r = repo.verify(repo.recipientOnly());

        assertThat(r.missing()).containsExactly(BackupLayout.backupLabelKey(EncryptedRepository.LABEL));
        assertThat(r.gaps()).singleElement().asString().contains("WAL segment 000000010000000000000005 is missing");
    }

    @Test
    @DisplayName("without the secret key an object whose stored metadata contradicts the manifest is found")
    void metadataContradictsManifest() throws IOException {
        // The label's link now points at a segment's bytes: its stored SHA-256 is the segment's.
        Path link = repo.root.resolve(BackupLayout.backupLabelKey(EncryptedRepository.LABEL));
        Path segment = repo.dataFile(EncryptedRepository.segmentKey(EncryptedRepository.T1, 2));
        Path copy = link.resolveSibling(segment.getFileName().toString()
                .replace("000000010000000000000002", "backup_label"));
        Files.copy(segment, copy);
        Files.delete(link);
        Files.createSymbolicLink(link, copy.getFileName());

        RepositoryVerify.Report r = repo.verify(repo.recipientOnly());

        assertThat(r.corrupt()).singleElement().asString().contains("stored metadata says sha256",
                "the backup manifest");
    }

    @Test
    @DisplayName("without the secret key a hole inside a later timeline's WAL is found, without reading its history")
    void gapOnLaterTimelineWithoutKey() {
        TimelineId t2 = new TimelineId(2);
        repo.history(t2, "1\t0/600100\tno recovery target specified\n");
        repo.segments(t2, 6, 7);
        repo.segments(t2, 9, 10); // 8 missing

        RepositoryVerify.Report r = repo.verify(repo.recipientOnly());

        assertThat(r.gaps()).singleElement().asString().contains("000000020000000000000008", "timeline 2");
        assertThat(r.corrupt()).isEmpty();
    }

    @Test
    @DisplayName("with the right secret key everything is decrypted and checksummed")
    void decryptsWithSecret() {
        RepositoryVerify.Report r = repo.verify(repo.withSecret(repo.secretKey));

        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.decrypted()).isTrue();
        assertThat(r.found()).isEqualTo(6);
    }

    @Test
    @DisplayName("a secret key that opens nothing is a key problem of every object, not corruption")
    void wrongSecretIsAKeyProblem() {
        RepositoryVerify.Report r = repo.verify(repo.withSecret(repo.otherSecretKey));

        assertThat(r.corrupt()).isEmpty();
        assertThat(r.missing()).isEmpty();
        assertThat(r.undecryptable()).hasSize(6);
        assertThat(r.keyError()).get().extracting(e -> e.code()).isEqualTo(ErrorCode.KEY);
        assertThat(r.ok()).isFalse();
    }
}
