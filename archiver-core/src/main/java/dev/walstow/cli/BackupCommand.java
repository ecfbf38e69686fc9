package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupRun;
import dev.walstow.runtime.Progress;
import dev.walstow.config.WalstowConfig;
import dev.walstow.pg.PgConnections;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.HeldLock;
import dev.walstow.repo.LockProgress;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.runtime.Components;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup", description = {
        "Take a full base backup (non-exclusive pg_backup_start/stop) into the repository: compressed, encrypted,",
        "uploaded in parallel. Complete only once the WAL up to its stop LSN is archived (then the manifest is",
        "written). Run on the database host as the PostgreSQL OS user."})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR",
            description = "Data directory to read (default: the server's data_directory).")
    Path pgdata;

    @Option(names = "--spread-checkpoint",
            description = "Let the start checkpoint spread like a scheduled one (default: immediate).")
    boolean spread;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        // pg_backup_start may wait for a spread checkpoint: the session's statement timeout must allow for it.
        PgConnections pg = new PgConnections(cfg.postgres(), Duration.ofHours(6));
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.ENCRYPT_ONLY);
                HeldLock lock = RepositoryLock.of(repository.repository(), cfg.backup().lockStaleAfter())
                        .acquire("backup");
                Progress progress = Progress.onTerminal("backup")) {
            lock.reportProgress(() -> new LockProgress(progress.filesDone(), progress.filesTotal(), progress.done(),
                    progress.total()));
            BackupRun.Outcome outcome = new BackupRun(repository, new Retrier(cfg.retry()), pg, cfg.backup(), lock)
                    .run(!spread, Optional.ofNullable(pgdata), progress);
            BackupManifest m = outcome.manifest();
            spec.commandLine().getOut().printf("backup %s complete: %d files, %,d bytes at %.1f MB/s; WAL %s to %s "
                    + "(timeline %s), %s to %s%n", m.label(), m.files().size(), outcome.bytes(),
                    outcome.megabytesPerSecond(), m.startLsn(), m.stopLsn(), m.timelineId(), m.startTime(),
                    m.stopTime());
            return 0;
        }
    }
}
