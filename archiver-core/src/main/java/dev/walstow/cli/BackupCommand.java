package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupRun;
import dev.walstow.backup.BackupType;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
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
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Take a base backup into the repository: full, differential or incremental.",
                "Non-exclusive pg_backup_start/stop; files are compressed, encrypted and uploaded in parallel. The "
                        + "backup is complete only once the WAL up to its stop LSN is archived (then its manifest is "
                        + "written).",
                "A differential stores what changed since the newest full, an incremental what changed since the "
                        + "newest backup: changed blocks of relation files (from PostgreSQL 17's WAL summaries when "
                        + "summarize_wal is on, else by reading every page and keeping those changed since), every "
                        + "other file whole.",
                "Run it on the database host as the PostgreSQL OS user."})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR",
            description = "Data directory to read (default: the server's data_directory).")
    Path pgdata;

    @Option(names = "--type", paramLabel = "TYPE", converter = TypeConverter.class,
            completionCandidates = TypeCandidates.class,
            description = "full, diff or incr (default: incr when a usable backup exists, else full; the output says "
                    + "which was taken and why).")
    BackupType type;

    @Option(names = "--spread-checkpoint",
            description = "Let the start checkpoint spread like a scheduled one (default: immediate).")
    boolean spread;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        Owners.require(spec, cfg, Optional.ofNullable(pgdata).or(() -> cfg.postgres().data()));
        Instant started = Instant.now();
        // pg_backup_start may wait for a spread checkpoint: the session's statement timeout must allow for it.
        PgConnections pg = new PgConnections(cfg.postgres(), Duration.ofHours(6));
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.ENCRYPT_ONLY);
                HeldLock lock = RepositoryLock.of(repository.repository(), cfg.backup().lockStaleAfter())
                        .acquire("backup");
                Progress progress = Progress.onTerminal("backup")) {
            lock.reportProgress(() -> new LockProgress(progress.filesDone(), progress.filesTotal(), progress.done(),
                    progress.total()));
            BackupRun.Outcome outcome = new BackupRun(repository, new Retrier(cfg.retry()), pg, cfg.backup(), lock)
                    .run(Optional.ofNullable(type), !spread, Optional.ofNullable(pgdata), progress);
            BackupManifest m = outcome.manifest();
            if (output.json()) {
                OutputOption.print(spec.commandLine().getOut(), BackupJson.of(outcome));
                return 0;
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            out.printf("backup %s: %s (%s)%n", m.label(), m.backupType().text(), outcome.decision().why());
            outcome.changesFrom().ifPresent(c -> out.printf("backup %s: %s%n", m.label(), c));
            BackupManifest.Stats st = m.stats();
            out.printf("backup %s complete: %s, %d files, %,d bytes read, %,d changed, %,d stored, at %.1f MB/s; WAL "
                    + "%s to %s (timeline %s), %s to %s%n", m.label(), m.backupType().text()
                    + (m.reference() == null ? "" : " of " + m.reference()), m.files().size(), st.readBytes(),
                    st.changedBytes(), st.storedBytes(), outcome.megabytesPerSecond(), m.startLsn(), m.stopLsn(),
                    m.timelineId(), m.startTime(), m.stopTime());
            RunRecords.writeQuietly(repository.repository(), RunRecord.backup(m, started, Instant.now()));
            return 0;
        }
    }

    static final class TypeConverter implements picocli.CommandLine.ITypeConverter<BackupType> {
        @Override
        public BackupType convert(String value) {
            for (BackupType t : BackupType.values()) {
                if (t.text().equals(value)) {
                    return t;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a backup type; use full, "
                    + "diff or incr");
        }
    }

    static final class TypeCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(BackupType.values()).map(BackupType::text).iterator();
        }
    }
}
