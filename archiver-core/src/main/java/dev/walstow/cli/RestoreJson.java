package dev.walstow.cli;

import dev.walstow.restore.RecoveryTarget;
import dev.walstow.restore.RestorePlan;
import dev.walstow.restore.RestoreRun;
import dev.walstow.runtime.Json;
import java.util.Locale;

/**
 * {@code walstow restore --output json} (docs/json.md): the backup chosen, the WAL checked, and with a real run
 * (not {@code --dry-run}) what was written; those three byte counts are null with {@code --dry-run}.
 *
 * @param pgdata the directory restored into (or that would be)
 * @param wal the WAL files the archive was checked to hold, on the path to the target timeline
 */
record RestoreJson(int walstowJson, boolean dryRun, String pgdata, InfoJson.Backup backup, Wal wal, Target target,
        Long bytesFetched, Long bytesReused, Long bytesPerSecond) {

    record Wal(String first, String last) {}

    /**
     * @param kind {@code time}, {@code lsn}, {@code xid}, {@code name}, {@code immediate} or {@code latest}
     * @param value as given (null for immediate and latest)
     * @param action recovery_target_action, null for PostgreSQL's default (pause)
     */
    record Target(String kind, String value, String timeline, String action) {
        static Target of(RecoveryTarget t) {
            return new Target(t.kind().name().toLowerCase(Locale.ROOT), t.value().isEmpty() ? null : t.value(),
                    t.timeline(), t.action().orElse(null));
        }
    }

    static RestoreJson planned(String pgdata, RestorePlan plan, RecoveryTarget target) {
        return new RestoreJson(Json.VERSION, true, pgdata, InfoJson.Backup.of(plan.backup()), wal(plan),
                Target.of(target), null, null, null);
    }

    static RestoreJson restored(String pgdata, RestoreRun.Outcome outcome, RecoveryTarget target) {
        return new RestoreJson(Json.VERSION, false, pgdata, InfoJson.Backup.of(outcome.plan().backup()),
                wal(outcome.plan()), Target.of(target), outcome.bytesFetched(), outcome.bytesReused(),
                Math.round(outcome.megabytesPerSecond() * 1e6));
    }

    private static Wal wal(RestorePlan plan) {
        return new Wal(plan.first().fileName(), plan.last().fileName());
    }
}
