package dev.walstow.restore;

import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.TimelineHistory;
import dev.walstow.catalog.WalCatalog;
import dev.walstow.error.DataError;
import dev.walstow.error.UserError;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which backup a recovery starts from and which WAL it needs, decided before anything is written.
 *
 * <p>The WAL end is exact for an LSN target and for {@code immediate}. For time, xid and name targets (and
 * {@code latest}) the repository cannot tell which segment holds the first commit past the target without reading
 * WAL, so the check is conservative: every segment from the backup's start up to the newest archived segment on the
 * path to the target timeline must be there. A gap after the target therefore fails the check even though recovery
 * would not need it; the message names the segment, and an LSN target (or an earlier backup window) gets past it.
 */
public record RestorePlan(BackupManifest backup, TimelineHistory history, SegmentName first, SegmentName last) {

    /**
     * @param backups complete backups, oldest first
     * @param histories loads the history of a timeline (from its history file; root if it has none)
     * @param chosen a backup label the user insisted on, if any
     */
    public static RestorePlan make(List<BackupManifest> backups, WalCatalog catalog, RecoveryTarget target,
            Optional<String> chosen, Function<TimelineId, TimelineHistory> histories) {
        if (backups.isEmpty()) {
            throw UserError.usage("the repository holds no complete backup", "take one with walstow backup");
        }
        BackupManifest backup = choose(backups, target, chosen);
        TimelineHistory history = histories.apply(targetTimeline(backup, catalog, target, histories));
        if (!history.includes(backup.timelineId(), backup.stop())) {
            throw UserError.usage("backup " + backup.label() + " (timeline " + backup.timelineId() + ", stop "
                    + backup.stop() + ") is not an ancestor of timeline " + history.target(),
                    "choose another --target-timeline, or a backup taken on that timeline's history");
        }
        WalSegmentSize size = backup.segmentSize();
        long from = backup.start().segmentNumber(size);
        long to = lastNeeded(backup, catalog, target, history);
        Optional<SegmentName> missing = catalog.firstMissing(history, from, to);
        if (missing.isPresent()) {
            throw DataError.integrity("the archive lacks WAL segment " + missing.get() + ", needed to recover backup "
                    + backup.label() + " to " + target.describe() + " (segments " + SegmentName.of(
                            backup.timelineId(), from, size) + " to " + SegmentName.of(history.target(), to, size)
                    + " are checked); nothing was written", "restore the segment from a copy, or choose an "
                    + "earlier target (--target-lsn) or another backup (--set); walstow info shows the gaps", null);
        }
        return new RestorePlan(backup, history, SegmentName.of(backup.timelineId(), from, size),
                SegmentName.of(history.target(), to, size));
    }

    private static BackupManifest choose(List<BackupManifest> backups, RecoveryTarget target, Optional<String> chosen) {
        if (chosen.isPresent()) {
            return backups.stream().filter(b -> b.label().equals(chosen.get())).findFirst()
                    .orElseThrow(() -> UserError.usage("no complete backup " + chosen.get(),
                            "walstow info lists the backups"));
        }
        BackupManifest newest = null;
        for (BackupManifest b : backups) {
            boolean fits = switch (target.kind()) {
                // stop-time is read after pg_backup_stop: a commit stamped later lies after the stop LSN.
                case TIME -> b.stopInstant().isBefore(target.time());
                case LSN -> b.stop().compareTo(target.lsn()) <= 0;
                default -> true;
            };
            if (fits) {
                newest = b;
            }
        }
        if (newest == null) {
            throw UserError.usage("no backup finished before " + target.describe() + " (oldest: "
                    + backups.getFirst().label() + ", finished " + backups.getFirst().stopTime() + ")",
                    "choose a later target; a backup can only recover to points after its end");
        }
        return newest;
    }

    /** latest: the highest timeline with a history file descending from the backup, else the backup's own. */
    private static TimelineId targetTimeline(BackupManifest backup, WalCatalog catalog, RecoveryTarget target,
            Function<TimelineId, TimelineHistory> histories) {
        return switch (target.timeline()) {
            case "current" -> backup.timelineId();
            case "latest" -> {
                for (TimelineId t : catalog.histories().descendingSet()) {
                    if (t.compareTo(backup.timelineId()) > 0
                            && histories.apply(t).includes(backup.timelineId(), backup.stop())) {
                        yield t;
                    }
                }
                yield backup.timelineId();
            }
            default -> new TimelineId(Long.parseLong(target.timeline()));
        };
    }

    private static long lastNeeded(BackupManifest backup, WalCatalog catalog, RecoveryTarget target,
            TimelineHistory history) {
        WalSegmentSize size = backup.segmentSize();
        long stop = new Lsn(backup.stop().value() - 1).segmentNumber(size);
        return switch (target.kind()) {
            case IMMEDIATE -> stop;
            case LSN -> Math.max(stop, target.lsn().segmentNumber(size));
            default -> Math.max(stop, catalog.newestOnPath(history));
        };
    }
}
