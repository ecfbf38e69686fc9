package dev.walstow.restore;

import dev.walstow.backup.BackupChain;
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
 *
 * @param first the backup's start segment, named as archived (on the newest timeline of the path that has it)
 * @param last the last segment the check covers
 * @param chain the backup and those it builds on, down to its full: every one is read by the restore
 */
public record RestorePlan(BackupManifest backup, TimelineHistory history, SegmentName first, SegmentName last,
        BackupChain chain) {

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
        BackupChain chain = BackupChain.of(backup,
                label -> backups.stream().filter(b -> b.label().equals(label)).findFirst());
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
        if (missing.isPresent() && target.kind() == RecoveryTarget.Kind.LSN) {
            checkNotPastEnd(backup, catalog, target, history, missing.get());
        }
        if (missing.isPresent()) {
            throw DataError.integrity("the archive lacks WAL segment " + missing.get() + ", needed to recover backup "
                    + backup.label() + " to " + target.describe() + " (segments " + SegmentName.of(
                            backup.timelineId(), from, size) + " to " + SegmentName.of(history.target(), to, size)
                    + " are checked); nothing was written", "restore the segment from a copy, or choose an "
                    + "earlier target (--target-lsn) or another backup (--set); walstow info shows the gaps", null);
        }
        return new RestorePlan(backup, history, archived(catalog, history, backup.timelineId(), from, size),
                SegmentName.of(history.target(), to, size), chain);
    }

    /**
     * An LSN target beyond the newest archived segment is not damage but a target the archive does not reach (yet):
     * said as such, not as a missing segment.
     */
    private static void checkNotPastEnd(BackupManifest backup, WalCatalog catalog, RecoveryTarget target,
            TimelineHistory history, SegmentName missing) {
        WalSegmentSize size = backup.segmentSize();
        long newest = catalog.newestOnPath(history);
        long gap = missing.segmentNumber(size);
        long stop = new Lsn(backup.stop().value() - 1).segmentNumber(size);
        if (gap > newest && gap > stop) {
            Lsn end = new Lsn((newest + 1) * size.bytes());
            throw UserError.usage("the archive ends at LSN " + end + " (its newest segment on the path to timeline "
                    + history.target().value() + " is " + newestName(catalog, history, newest, size)
                    + "); the target LSN " + target.lsn() + " is past it; nothing was written",
                    "choose a target LSN before " + end + ", or --target latest; or let the primary archive up to "
                            + target.lsn() + " first (SELECT pg_switch_wal() there; walstow info shows the newest "
                            + "segment)");
        }
    }

    private static String newestName(WalCatalog catalog, TimelineHistory history, long newest, WalSegmentSize size) {
        return archived(catalog, history, history.target(), newest, size).fileName();
    }

    /** Segment {@code n} as archived on the newest timeline of the path that has it (else on {@code fallback}). */
    private static SegmentName archived(WalCatalog catalog, TimelineHistory history, TimelineId fallback, long n,
            WalSegmentSize size) {
        TimelineId on = fallback;
        for (TimelineHistory.Step step : history.path()) {
            if (catalog.has(step.timeline(), n)) {
                on = step.timeline();
            }
        }
        return SegmentName.of(on, n, size);
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
