package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.Progress;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.restore.RecoverySettings;
import dev.walstow.restore.RecoveryTarget;
import dev.walstow.restore.RestorePlan;
import dev.walstow.restore.RestoreRun;
import dev.walstow.restore.TablespaceMapping;
import dev.walstow.runtime.Components;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Restore a backup into an empty directory for point-in-time recovery.",
                "Chooses the newest backup that finished before the target; writes recovery.signal (standby.signal "
                        + "with --type standby), and restore_command and recovery_target_* into "
                        + "postgresql.auto.conf.",
                "Checks first, before writing anything, that the archive holds every WAL segment the recovery "
                        + "needs and that the configured key decrypts it. Run again after a failure, it resumes the "
                        + "incomplete restore."})
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR", required = true, description = "Directory to restore into.")
    Path pgdata;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target = new Target();

    static final class Target {
        @Option(names = "--target-time", paramLabel = "T", description = "Recover to this time, with a zone, as "
                + "PostgreSQL takes recovery_target_time: '2026-01-21 14:03:00+00', '2026-01-21 14:03:00.25 UTC', "
                + "'2026-01-21T14:03:00Z', '2026-01-21 15:03:00+01:00', '2026-01-21 15:03:00 Europe/Berlin'.")
        String time;
        @Option(names = "--target-lsn", paramLabel = "LSN",
                description = "Recover to this WAL position, e.g. 0/5000060 (must be in the archive).")
        String lsn;
        @Option(names = "--target-xid", paramLabel = "XID", description = "Recover to this transaction id (recovery_target_xid).")
        String xid;
        @Option(names = "--target-name", paramLabel = "NAME",
                description = "Recover up to this pg_create_restore_point name (recovery_target_name).")
        String name;
        @Option(names = "--target", paramLabel = "immediate|latest",
                description = "immediate: stop at the end of the backup; latest (default): replay all WAL, "
                        + "then promote.")
        String special;
    }

    @Option(names = "--target-timeline", paramLabel = "latest|current|N", defaultValue = "latest",
            description = "Timeline to recover along: latest (default), current (the backup's) or a number "
                    + "(recovery_target_timeline).")
    String timeline;

    @Option(names = "--target-action", paramLabel = "promote|pause|shutdown",
            description = "What PostgreSQL does at the target (default: PostgreSQL's, pause). With --target latest "
                    + "only promote, which PostgreSQL does anyway.")
    String action;

    @Option(names = "--type", paramLabel = "recovery|standby", defaultValue = "recovery",
            description = "recovery (default): recover to the target (recovery.signal); standby: a standby that "
                    + "follows the archive until promoted (standby.signal; no target).")
    String type;

    @Option(names = "--archive-mode", paramLabel = "off|preserve",
            description = "off: write archive_mode = 'off' to postgresql.auto.conf, so the restored server never "
                    + "archives into the repository (default for --type recovery); preserve: keep the backup's "
                    + "archive settings (default for --type standby; for a server that replaces the primary).")
    String archiveMode;

    @Option(names = "--tablespace-map", paramLabel = "NAME|OID=DIR",
            description = "Restore this tablespace into DIR instead of its original location (repeatable).")
    List<String> tablespaceMap = new ArrayList<>();

    @Option(names = "--tablespace-map-all", paramLabel = "DIR",
            description = "Restore every tablespace not named by --tablespace-map into DIR/NAME.")
    Path tablespaceMapAll;

    @Option(names = "--recovery-option", paramLabel = "KEY=VALUE",
            description = "Also write KEY = 'VALUE' to postgresql.auto.conf (repeatable), e.g. "
                    + "primary_conninfo=...; restore_command=... replaces walstow's.")
    List<String> recoveryOptions = new ArrayList<>();

    @Option(names = "--set", paramLabel = "LABEL", description = "Restore this backup instead of choosing.")
    String set;

    @Option(names = "--delta", description = "Reuse files of a non-empty DIR whose checksum matches; delete the rest.")
    boolean delta;

    @Option(names = "--launcher", paramLabel = "PATH",
            description = "walstow launcher for restore_command (default: this installation's bin/walstow).")
    String launcher;

    @Option(names = "--restore-config", paramLabel = "FILE",
            description = "Configuration for restore_command (default: the one this command uses).")
    Path restoreConfig;

    @Option(names = "--dry-run",
            description = "Make every check (backup, WAL, key, directories, space) and write nothing.")
    boolean dryRun;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        RecoveryTarget recoveryTarget = recoveryTarget();
        if (!dryRun) {
            Owners.requireRestoreTarget(spec, pgdata);
        }
        RestoreRun.Request request = new RestoreRun.Request(pgdata, recoveryTarget, Optional.ofNullable(set), delta,
                RecoverySettings.parse(type, Optional.ofNullable(archiveMode), restoreCommand(cfg), recoveryOptions),
                TablespaceMapping.parse(tablespaceMap, Optional.ofNullable(tablespaceMapAll)),
                cfg.backup().parallelism());
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT);
                Progress progress = Progress.onTerminal("restore")) {
            RestoreRun run = new RestoreRun(repository, new Retrier(cfg.retry()));
            if (dryRun) {
                RestorePlan plan = run.check(request);
                if (output.json()) {
                    OutputOption.print(spec.commandLine().getOut(), RestoreJson.planned(pgdata.toString(), plan,
                            recoveryTarget));
                } else {
                    report(plan, "would restore");
                }
                return 0;
            }
            RestoreRun.Outcome outcome = run.run(request, progress);
            if (output.json()) {
                OutputOption.print(spec.commandLine().getOut(), RestoreJson.restored(pgdata.toString(), outcome,
                        recoveryTarget));
                return 0;
            }
            report(outcome.plan(), "restored");
            spec.commandLine().getOut().printf("%,d bytes fetched, %,d reused, %.1f MB/s; start PostgreSQL on %s to "
                    + "recover to %s%n", outcome.bytesFetched(), outcome.bytesReused(), outcome.megabytesPerSecond(),
                    pgdata, recoveryTarget.describe());
            return 0;
        }
    }

    private void report(RestorePlan plan, String verb) {
        spec.commandLine().getOut().printf("%s backup %s (stopped %s at %s, timeline %s); WAL %s to %s is in the "
                + "archive%n", verb, plan.backup().label(), plan.backup().stopTime(), plan.backup().stopLsn(),
                plan.backup().timelineId(), plan.first(), plan.last());
    }

    private RecoveryTarget recoveryTarget() {
        Optional<String> act = Optional.ofNullable(action);
        if (target.time != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.TIME, target.time, timeline, act);
        } else if (target.lsn != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.LSN, target.lsn, timeline, act);
        } else if (target.xid != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.XID, target.xid, timeline, act);
        } else if (target.name != null) {
            return new RecoveryTarget(RecoveryTarget.Kind.NAME, target.name, timeline, act);
        } else if (target.special == null || target.special.equals("latest")) {
            return new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", timeline, act);
        } else if (target.special.equals("immediate")) {
            return new RecoveryTarget(RecoveryTarget.Kind.IMMEDIATE, "", timeline, act);
        }
        throw UserError.usage("--target '" + target.special + "' is not immediate or latest",
                "pass --target immediate or --target latest, or one of --target-time/-lsn/-xid/-name");
    }

    /** {@code <launcher> --config <file> archive-get %f %p}, with the running installation's launcher by default. */
    private String restoreCommand(WalstowConfig cfg) {
        String home = System.getProperty("walstow.home");
        String bin = launcher != null ? launcher : home != null ? Path.of(home, "bin", "walstow").toString() : "walstow";
        Path conf = (restoreConfig != null ? restoreConfig : cfg.source()).toAbsolutePath();
        return quote(bin) + " --config " + quote(conf.toString()) + " archive-get %f %p";
    }

    /** PostgreSQL runs restore_command through sh: quote paths that need it. */
    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./=+:-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
