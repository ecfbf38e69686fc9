package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.config.Durations;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
import dev.walstow.error.WalstowException;
import dev.walstow.expire.ExpirePlan;
import dev.walstow.expire.ExpirePlanner;
import dev.walstow.expire.ExpireRun;
import dev.walstow.expire.RetentionPolicy;
import dev.walstow.repo.HeldLock;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.runtime.Components;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "expire", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Delete the backups and WAL the retention no longer needs.",
                "Keeps the newest [backup] retention-full full backups with the backups that build on them (of "
                        + "their differential backups the newest [backup] retention-diff), every backup needed to "
                        + "recover any point of [backup] retention-window, every backup a kept one builds on, the WAL "
                        + "from the oldest kept backup's start on, and history files always.",
                "Removes aborted backups (no manifest) older than --failed-backup-age, and what uploads interrupted "
                        + "longer than --abandoned-upload-age ago left in the store (S3: multipart uploads never "
                        + "completed; posix: temporary files). Needs no secret key."})
final class ExpireCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--retention-full", paramLabel = "N",
            description = "Keep the newest N full backups, each with the backups that build on it (overrides "
                    + "[backup] retention-full; 0: no count rule).")
    Integer full;

    @Option(names = "--retention-diff", paramLabel = "N",
            description = "Of the backups --retention-full keeps, keep only the newest N differential backups; an "
                    + "older one goes with the incrementals that build on it (overrides [backup] retention-diff; 0: "
                    + "no differential rule).")
    Integer diff;

    @Option(names = "--retention-window", paramLabel = "DURATION",
            description = "Keep every point of the last DURATION recoverable, e.g. 7d (overrides [backup] "
                    + "retention-window; 0s: no window).")
    String window;

    @Option(names = "--failed-backup-age", paramLabel = "DURATION", defaultValue = "24h",
            description = "Remove a backup without manifest only once it started and last stored an object this "
                    + "long ago (default ${DEFAULT-VALUE}; must exceed [backup] archive-timeout).")
    String failedAge;

    @Option(names = "--abandoned-upload-age", paramLabel = "DURATION", defaultValue = "24h",
            description = "Abort multipart uploads (S3) and remove temporary files (posix) of uploads started this "
                    + "long ago and never finished (default ${DEFAULT-VALUE}; keep it above the longest upload).")
    String abandonedAge;

    @Option(names = "--dry-run", description = "Print what would be deleted and why; delete nothing. Without any "
            + "retention, print that and how to set one (exit 0).")
    boolean dryRun;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        Owners.require(spec, cfg, cfg.postgres().data());
        Duration failed = duration("--failed-backup-age", failedAge);
        if (failed.compareTo(cfg.backup().archiveTimeout()) <= 0) {
            throw UserError.usage("--failed-backup-age " + failedAge + " does not exceed [backup] archive-timeout "
                    + Durations.text(cfg.backup().archiveTimeout()) + ": a backup still waiting for its WAL could be "
                    + "taken for an aborted one", "pass a longer --failed-backup-age");
        }
        int fullRule = full != null ? full : cfg.backup().retentionFull();
        int diffRule = diff != null ? diff : cfg.backup().retentionDiff();
        Duration windowRule = window != null ? duration("--retention-window", window) : cfg.backup().retentionWindow();
        Duration abandoned = duration("--abandoned-upload-age", abandonedAge);
        if (abandoned.isZero()) {
            throw UserError.usage("--abandoned-upload-age 0s would cut uploads in progress",
                    "pass an age above the longest upload, e.g. 24h");
        }
        PrintWriter out = output.text(spec.commandLine().getOut());
        if (dryRun && RetentionPolicy.none(fullRule, windowRule)) {
            // A dry run informs: what the rules are (none), what a real run would do (refuse), how to set them.
            out.printf("expire: no retention is configured (retention-full 0, retention-window 0s: [backup] in %s, "
                    + "or --retention-full / --retention-window), so walstow expire would keep everything and refuses "
                    + "to run.%nTo expire: %s (e.g. retention-full = 7, retention-window = \"14d\").%n"
                    + "would delete nothing%n", cfg.source().toAbsolutePath(), RetentionPolicy.HOW_TO_SET);
            out.flush();
            if (output.json()) {
                OutputOption.print(spec.commandLine().getOut(),
                        ExpireJson.noRetention(failed.toSeconds(), abandoned.toSeconds()));
            }
            return 0;
        }
        RetentionPolicy policy = new RetentionPolicy(fullRule, diffRule, windowRule, failed);
        Instant started = Instant.now();
        // A dry run deletes nothing and takes no lock; a real one holds the lock backups take (see RepositoryLock).
        try (Repository repository = Components.repository(cfg, false);
                HeldLock lock = dryRun ? null
                        : RepositoryLock.of(repository, cfg.backup().lockStaleAfter()).acquire("expire")) {
            try {
                String summary = expire(repository, cfg, policy, abandoned, out, lock);
                if (!dryRun) {
                    RunRecords.writeQuietly(repository, RunRecord.of(RunRecords.Kind.EXPIRE, started, Instant.now(),
                            true, 0, summary));
                }
            } catch (WalstowException e) {
                if (!dryRun) {
                    RunRecords.writeQuietly(repository, RunRecord.of(RunRecords.Kind.EXPIRE, started, Instant.now(),
                            false, 0, "expire could not finish: " + e.oneLine()));
                }
                throw e;
            }
            return 0;
        }
    }

    /** @return what was done, on one line */
    private String expire(Repository repository, WalstowConfig cfg, RetentionPolicy policy, Duration abandoned,
            PrintWriter out, HeldLock lock) {
        ExpirePlan plan = ExpirePlanner.plan(repository, policy, Instant.now());
        out.print(plan.text(dryRun ? "would delete" : "delete"));
        ExpireRun run = new ExpireRun(repository, new Retrier(cfg.retry()), cfg.backup().parallelism());
        String summary = "expire: nothing to delete";
        ExpireRun.Outcome o = dryRun ? null : new ExpireRun.Outcome(0, 0, 0, 0);
        if (!dryRun && !plan.nothingToDo()) {
            o = run.execute(plan, lock::ensureHeld);
            summary = String.format("expire: deleted %d backups and %d aborted backups (%d objects), %d WAL files",
                    o.backups(), o.failedBackups(), o.objects(), o.walFiles());
            out.println(summary);
        }
        long uploads = run.cleanAbandonedUploads(abandoned, dryRun);
        out.printf("%s %d abandoned upload(s) started more than %s ago%n", dryRun ? "would remove"
                : "expire: removed", uploads, Durations.text(abandoned));
        out.flush();
        if (output.json()) {
            OutputOption.print(spec.commandLine().getOut(), ExpireJson.of(plan, dryRun, o,
                    new ExpireJson.AbandonedUploads(abandoned.toSeconds(), uploads)));
        }
        return summary + "; " + uploads + " abandoned upload(s) removed";
    }

    private static Duration duration(String option, String text) {
        return Durations.parse(text).orElseThrow(() -> UserError.usage(option + " " + text
                + " is not a duration", "pass e.g. 7d, 36h, 90m"));
    }
}
