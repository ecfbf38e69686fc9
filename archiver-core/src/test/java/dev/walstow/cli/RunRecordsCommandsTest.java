package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.wal.SegmentName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code walstow expire} and {@code verify} leave a record of how they ended in the repository, for the daemon. */
class RunRecordsCommandsTest {
    @TempDir
    Path base;
    private Path config;
    private Repository repository;

    @BeforeEach
    void repository() throws Exception {
        Path repo = Files.createDirectories(base.resolve("repo"));
        repository = new Repository(new PosixObjectStore(repo));
        repository.writeBinding(new RepositoryBinding(RepositoryBinding.FORMAT, "7301", 15, 16 << 20,
                "2026-01-01T00:00:00Z", "test"));
        config = Files.writeString(base.resolve("walstow.toml"), """
                [repository]
                path = "%s"
                [encryption]
                enabled = false
                [backup]
                retention-full = 1
                [retry]
                attempts = 1
                """.formatted(repo));
    }

    private Optional<RunRecord> newest(RunRecords.Kind kind) {
        return Optional.ofNullable(RunRecords.newest(RunRecords.list(repository)).get(kind))
                .flatMap(key -> RunRecords.read(repository, key));
    }

    @Test
    @DisplayName("expire records a successful run, and a dry run records nothing")
    void expireRecorded() {
        Cli dry = Cli.run("--config", config.toString(), "expire", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(newest(RunRecords.Kind.EXPIRE)).isEmpty();

        Cli run = Cli.run("--config", config.toString(), "expire");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(newest(RunRecords.Kind.EXPIRE)).hasValueSatisfying(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.summary()).startsWith("expire: ");
            assertThat(r.finishedInstant()).isAfterOrEqualTo(java.time.Instant.parse(r.startedAt()));
        });
    }

    @Test
    @DisplayName("verify records a clean repository as a success, and a corrupt object as a failure with its count")
    void verifyRecorded() throws Exception {
        Cli clean = Cli.run("--config", config.toString(), "verify");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(newest(RunRecords.Kind.VERIFY)).hasValueSatisfying(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.problems()).isZero();
        });

        byte[] garbage = "not a WAL object".getBytes(StandardCharsets.US_ASCII);
        repository.store().putIfAbsent(RepositoryLayout.keyOf(SegmentName.parse("000000010000000000000001")),
                garbage, ObjectMeta.ofPlain(garbage));
        Cli damaged = Cli.run("--config", config.toString(), "verify");
        assertThat(damaged.exit()).as(damaged.toString()).isEqualTo(9);
        assertThat(newest(RunRecords.Kind.VERIFY)).hasValueSatisfying(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.problems()).isEqualTo(1);
            assertThat(r.summary()).contains("1 corrupt");
        });
    }
}
