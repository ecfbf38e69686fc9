package dev.walstow.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.FileKind;
import dev.walstow.backup.BackupType;
import dev.walstow.codec.WalCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify of chains: full → incr (one block changed) → incr (unchanged), see {@link EncryptedRepository#chain}. */
class RepositoryVerifyChainsTest {
    private static final String INCR1 = EncryptedRepository.CHAIN.get(1);
    private static final String INCR2 = EncryptedRepository.CHAIN.get(2);

    @TempDir
    Path dir;

    private EncryptedRepository repo;
    private BackupManifest incr1;

    @BeforeEach
    void repository() {
        repo = EncryptedRepository.create(dir);
        incr1 = repo.chain(dir).get(1);
    }

    @AfterEach
    void close() {
        repo.close();
    }

    @Test
    @DisplayName("with the secret key an incremental object is decrypted and checksummed like every other part")
    void incrementalObjectsAreDecryptedAndChecked() {
        RepositoryVerify.Report r = repo.verify(repo.withSecret(repo.secretKey));

        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.decrypted()).isTrue();
        // 6 of the first backup and its WAL; backup_label and one part each for the full and incr1; incr2's label.
        assertThat(r.found()).isEqualTo(11);
        assertThat(r.brokenChains()).isEmpty();
    }

    @Test
    @DisplayName("a damaged incremental object is corrupt, with the key and without it")
    void damagedIncrementalObjectIsCorrupt() {
        String key = incr1.file(EncryptedRepository.RELATION).orElseThrow().parts().getFirst().key();
        repo.truncate(key);

        for (WalCodec codec : List.of(repo.withSecret(repo.secretKey), repo.recipientOnly())) {
            assertThat(repo.verify(codec).corrupt()).singleElement().asString().startsWith(key + ":");
        }
    }

    @Test
    @DisplayName("a chain whose middle backup is gone is a problem naming the backup and the missing reference, "
            + "with the key and without it")
    void missingMiddleBackupBreaksTheChain() throws IOException {
        Files.delete(repo.root.resolve(BackupLayout.manifestKey(INCR1)));

        for (WalCodec codec : List.of(repo.withSecret(repo.secretKey), repo.recipientOnly())) {
            RepositoryVerify.Report r = repo.verify(codec);

            assertThat(r.brokenChains()).singleElement().asString().contains(
                    "the backup chain of " + INCR2 + " is broken", "builds on " + INCR1, "not in the repository");
            assertThat(r.ok()).isFalse();
            assertThat(r.problems()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("an incremental file without a whole copy down to the full breaks the chain")
    void incrementalFileWithoutWholeCopy() {
        // The first backup, a full, has no files: nothing for this incremental to build on.
        BackupManifest.StoredPart part = repo.part(BackupLayout.partKey("20260105T000000Z", 0, 0), 0, new byte[20]);
        repo.backup("20260105T000000Z", BackupType.INCR, EncryptedRepository.LABEL, "0/600028", "0/600100",
                List.of(new FileEntry("base/5/1", EncryptedRepository.BLOCK, "600", List.of(part),
                        FileKind.INCREMENTAL.text())));

        assertThat(repo.verify(repo.recipientOnly()).brokenChains()).singleElement().asString()
                .contains("20260105T000000Z", "base/5/1");
    }
}
