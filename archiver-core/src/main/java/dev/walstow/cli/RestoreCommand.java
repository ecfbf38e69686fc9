package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.Progress;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.restore.RecoveryTarget;
import dev.walstow.restore.RestorePlan;
import dev.walstow.restore.RestoreRun;
import dev.walstow.runtime.Components;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restore", description = {
        "Restore the newest backup that finished before the target into an empty directory, and set it up for",
        "point-in-time recovery (recovery.signal; restore_command and recovery_target_* in postgresql.auto.conf).",
        "Checks first, before writing anything, that the archive holds every WAL segment the recovery needs."})
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR", required = true, description = "Directory to restore into.")
    Path pgdata;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target = new Target();

    static final class Target {
        @Option(names = "--target-time", paramLabel = "T", description = "e.g. '2026-01-21 14:03:00+00'.")
        String time;
        @Option(names = "--target-lsn", paramLabel = "LSN")
        String lsn;
        @Option(names = "--target-xid", paramLabel = "XID")
        String xid;
        @Option(names = "--target-name", paramLabel = "NAME", description = "A pg_create_restore_point name.")
        String name;
        @Option(names = "--target", paramLabel = "immediate|latest",
                description = "immediate: stop at the end of the backup; latest (default): replay all WAL.")
        String special;
    }

    @Option(names = "--target-timeline", paramLabel = "latest|current|N", defaultValue = "latest")
    String timeline;

    @Option(names = "--target-action", paramLabel = "promote|pause|shutdown",
            description = "What PostgreSQL does at the target (default: PostgreSQL's, pause).")
    String action;

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

    @Option(names = "--dry-run", description = "Choose the backup and check the WAL; write nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        RecoveryTarget recoveryTarget = recoveryTarget();
        if (!dryRun) {
            Owners.requireRestoreTarget(spec, pgdata);
        }
        try (BoundRepository repository = Components.open(cfg, Components.KeyUse.DECRYPT);
                Progress progress = Progress.onTerminal("restore")) {
            RestoreRun run = new RestoreRun(repository, new Retrier(cfg.retry()));
            if (dryRun) {
                report(run.plan(recoveryTarget, Optional.ofNullable(set)), "would restore");
                return 0;
            }
            RestoreRun.Outcome outcome = run.run(new RestoreRun.Request(pgdata, recoveryTarget,
                    Optional.ofNullable(set), delta, restoreCommand(cfg), cfg.backup().parallelism()), progress);
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
