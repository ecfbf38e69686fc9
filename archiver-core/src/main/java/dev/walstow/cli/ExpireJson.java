package dev.walstow.cli;

import dev.walstow.expire.ExpirePlan;
import dev.walstow.expire.ExpireRun;
import dev.walstow.expire.RetentionPolicy;
import dev.walstow.runtime.Json;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code walstow expire --output json} (docs/json.md): the plan, with the reason for every decision, and what was
 * done. With {@code --dry-run}, {@code deleted} is null and {@code abandoned_uploads.count} is what would be removed.
 *
 * @param walKeptFrom where the WAL that stays begins (the start of the oldest kept backup), on every timeline; null
 *     when the repository has no complete backup, and then no WAL is deleted
 * @param failedBackups backups without a manifest old enough to be removed as aborted
 * @param failedBackupsLeft backups without a manifest too young to remove: they may still be running
 */
record ExpireJson(int walstowJson, boolean dryRun, Policy policy, List<KeptBackup> kept, List<ExpiredBackup> expired,
        WalCutoff walKeptFrom, List<WalRun> wal, List<FailedBackup> failedBackups,
        List<FailedBackup> failedBackupsLeft, Deleted deleted, AbandonedUploads abandonedUploads) {

    /**
     * @param retentionFull 0: no count rule; {@code retention_diff} 0: no differential rule;
     *     {@code retention_window_seconds} 0: no window rule
     */
    record Policy(int retentionFull, int retentionDiff, long retentionWindowSeconds, long failedBackupAgeSeconds) {}

    /** @param type {@code full}, {@code diff} or {@code incr}; {@code reference} what it builds on (null: full) */
    record KeptBackup(String label, String type, String reference, String stopTime, String reason) {}

    /** @param objects objects deleted with it, its manifest included */
    record ExpiredBackup(String label, String type, String reference, String stopTime, int objects, String reason) {}

    record WalCutoff(String lsn, String backup) {}

    /** WAL files of one timeline numbered {@code first} to {@code last} (segments, .partial and .backup files). */
    record WalRun(long timeline, String first, String last, int files) {}

    record FailedBackup(String label, int objects, String reason) {}

    record Deleted(int backups, int failedBackups, long objects, long walFiles) {}

    /** @param count removed, or with {@code --dry-run} to be removed */
    record AbandonedUploads(long olderThanSeconds, long count) {}

    /** {@code ExpirePlanner} words the cutoff as {@code LSN (backup LABEL)}. */
    private static final Pattern CUTOFF = Pattern.compile("(\\S+) \\(backup (\\S+)\\)");

    static ExpireJson of(ExpirePlan plan, boolean dryRun, ExpireRun.Outcome outcome, AbandonedUploads uploads) {
        RetentionPolicy p = plan.policy();
        return new ExpireJson(Json.VERSION, dryRun,
                new Policy(p.full(), p.diff(), p.window().toSeconds(), p.failedAge().toSeconds()),
                plan.kept().stream().map(b -> new KeptBackup(b.label(), b.type(), b.reference(), b.stopTime(),
                        b.reason())).toList(),
                plan.expired().stream().map(b -> new ExpiredBackup(b.label(), b.type(), b.reference(), b.stopTime(),
                        b.objects().size() + 1, b.reason())).toList(),
                cutoff(plan.walCutoff()),
                plan.wal().stream().map(r -> new WalRun(r.timeline().value(), r.first(), r.last(), r.keys().size()))
                        .toList(),
                failed(plan.failed()), failed(plan.leftFailed()),
                outcome == null ? null : new Deleted(outcome.backups(), outcome.failedBackups(), outcome.objects(),
                        outcome.walFiles()),
                uploads);
    }

    /** A dry run without any retention rule: nothing is planned (a real run refuses). */
    static ExpireJson noRetention(long failedBackupAgeSeconds, long abandonedOlderThanSeconds) {
        return new ExpireJson(Json.VERSION, true, new Policy(0, 0, 0, failedBackupAgeSeconds), List.of(), List.of(),
                null, List.of(), List.of(), List.of(), null, new AbandonedUploads(abandonedOlderThanSeconds, 0));
    }

    private static List<FailedBackup> failed(List<ExpirePlan.Failed> failed) {
        return failed.stream().map(f -> new FailedBackup(f.label(), f.keys().size(), f.reason())).toList();
    }

    private static WalCutoff cutoff(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = CUTOFF.matcher(text);
        return m.matches() ? new WalCutoff(m.group(1), m.group(2)) : new WalCutoff(text, null);
    }
}
