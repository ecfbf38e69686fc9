package dev.walstow.cli;

import dev.walstow.archive.Retrier;
import dev.walstow.config.Durations;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
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

@Command(name = "expire", description = {
        "Delete backups and WAL the retention no longer needs: keeps the newest [backup] retention-full backups",
        "and every backup needed to recover any point of [backup] retention-window, WAL from the oldest kept",
        "backup's start on, history files always. Removes aborted backups (no manifest) older than",
        "--failed-backup-age, and what uploads interrupted longer than --abandoned-upload-age ago left in the",
        "store (S3: multipart uploads never completed; posix: temporary files). Needs no secret key."})
final class ExpireCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--retention-full", paramLabel = "N",
            description = "Keep at least the newest N full backups (overrides [backup] retention-full; 0: no count rule).")
    Integer full;

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

    @Option(names = "--dry-run", description = "Print what would be deleted and why; delete nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        Duration failed = duration("--failed-backup-age", failedAge);
        if (failed.compareTo(cfg.backup().archiveTimeout()) <= 0) {
            throw UserError.usage("--failed-backup-age " + failedAge + " does not exceed [backup] archive-timeout "
                    + Durations.text(cfg.backup().archiveTimeout()) + ": a backup still waiting for its WAL could be "
                    + "taken for an aborted one", "pass a longer --failed-backup-age");
        }
        RetentionPolicy policy = new RetentionPolicy(full != null ? full : cfg.backup().retentionFull(),
                window != null ? duration("--retention-window", window) : cfg.backup().retentionWindow(), failed);
        Duration abandoned = duration("--abandoned-upload-age", abandonedAge);
        if (abandoned.isZero()) {
            throw UserError.usage("--abandoned-upload-age 0s would cut uploads in progress",
                    "pass an age above the longest upload, e.g. 24h");
        }
        PrintWriter out = spec.commandLine().getOut();
        // A dry run deletes nothing and takes no lock; a real one holds the lock backups take (see RepositoryLock).
        try (Repository repository = Components.repository(cfg, false);
                HeldLock lock = dryRun ? null
                        : RepositoryLock.of(repository, cfg.backup().lockStaleAfter()).acquire("expire")) {
            ExpirePlan plan = ExpirePlanner.plan(repository, policy, Instant.now());
            out.print(plan.text(dryRun ? "would delete" : "delete"));
            ExpireRun run = new ExpireRun(repository, new Retrier(cfg.retry()), cfg.backup().parallelism());
            if (!dryRun && !plan.nothingToDo()) {
                ExpireRun.Outcome o = run.execute(plan, lock::ensureHeld);
                out.printf("expire: deleted %d backups and %d aborted backups (%d objects), %d WAL files%n",
                        o.backups(), o.failedBackups(), o.objects(), o.walFiles());
            }
            long uploads = run.cleanAbandonedUploads(abandoned, dryRun);
            out.printf("%s %d abandoned upload(s) started more than %s ago%n", dryRun ? "would remove"
                    : "expire: removed", uploads, Durations.text(abandoned));
            out.flush();
            return 0;
        }
    }

    private static Duration duration(String option, String text) {
        return Durations.parse(text).orElseThrow(() -> UserError.usage(option + " " + text
                + " is not a duration", "pass e.g. 7d, 36h, 90m"));
    }
}
