package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.repo.HeldLock;
import dev.walstow.repo.LockOwner;
import dev.walstow.repo.LockProgress;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.posix.PosixObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * expire, info and verify beside a running backup (this test holds the repository lock as a backup would), on a
 * posix repository.
 */
class RepositoryLockCommandsTest {
    @TempDir
    Path base;

    private Path config;
    private Repository repository;
    private HeldLock backup;

    @BeforeEach
    void repositoryWithRunningBackup() throws Exception {
        Path repo = Files.createDirectories(base.resolve("repo"));
        config = Files.writeString(base.resolve("walstow.toml"), """
                [repository]
                type = "posix"
                path = "%s"
                [encryption]
                enabled = false
                [backup]
                retention-full = 1
                [retry]
                attempts = 1
                """.formatted(repo));
        repository = new Repository(new PosixObjectStore(repo));
        assertThat(repository.writeBinding(new RepositoryBinding(RepositoryBinding.FORMAT, "7301", 15, 16 << 20,
                "2026-01-01T00:00:00Z", "test"))).isEqualTo(new PutResult.Created());
        backup = RepositoryLock.of(repository, Duration.ofMinutes(10)).acquire("backup");
        backup.reportProgress(() -> new LockProgress(3, 10, 300L << 20, 1000L << 20));
        backup.beat();
    }

    @AfterEach
    void release() {
        backup.close();
        repository.close();
    }

    private Cli walstow(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @Test
    @DisplayName("expire refuses at once while a backup holds the lock, naming it, and runs once it is released")
    void expireWaitsForTheBackup() {
        LockOwner me = LockOwner.current();

        Cli refused = walstow("expire");

        assertThat(refused.exit()).as(refused.toString()).isEqualTo(ErrorCode.LOCKED.pushExit());
        assertThat(refused.err()).contains("[WS-LOCKED] a backup is running: host " + me.host() + ", pid "
                + me.pid() + ", since " + backup.record().since() + " (progress 3 of 10 files, 300 of 1,000 MiB; "
                + "last heartbeat ", "HINT: wait for it to finish");
        assertThat(walstow("expire", "--dry-run").exit()).as("a dry run takes no lock").isZero();

        backup.close();
        Cli ran = walstow("expire");

        assertThat(ran.exit()).as(ran.toString()).isZero();
        assertThat(ran.out()).contains("nothing to delete");
    }

    @Test
    @DisplayName("info shows the running backup: host, pid, since, its progress and heartbeat, in text and JSON")
    void infoShowsTheRunningBackup() {
        LockOwner me = LockOwner.current();

        Cli text = walstow("info");
        Cli json = walstow("info", "--output", "json");

        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out()).contains("backup running: host " + me.host() + ", pid " + me.pid() + ", since "
                + backup.record().since() + ", progress 3 of 10 files, 300 of 1,000 MiB (last heartbeat ");
        assertThat(json.exit()).as(json.toString()).isZero();
        assertThat(json.out()).contains("\"running\": {", "\"command\": \"backup\"", "\"pid\": " + me.pid(),
                "\"state\": \"running\"", "\"files_done\": 3", "\"bytes_total\": " + (1000L << 20));

        backup.close();
        assertThat(walstow("info").out()).doesNotContain("running:");
        assertThat(walstow("info", "--output", "json").out()).contains("\"running\": null");
    }

    @Test
    @DisplayName("verify runs beside a backup and says that it checks the complete backups only")
    void verifyBesideABackup() {
        Cli verify = walstow("verify");

        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("a backup is running (host " + LockOwner.current().host(),
                "only complete backups are checked");
    }
}
