package dev.walstow.expire;

import dev.walstow.catalog.BackupCatalog;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.config.Durations;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ListedObject;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.BackupHistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides what {@code walstow expire} deletes; deletes nothing itself ({@link ExpireRun} does). Reads only listings
 * and the plain manifests, so it runs on the archiving host without the secret key.
 *
 * <p>Backups: {@link BackupRetention} decides, by whole chains: the newest {@code full} fulls with the backups that
 * build on them (thinned by {@code diff}), and for the window the newest backup that stopped <em>before</em> the
 * window's start plus every later one — "before", not "at", because restore picks a backup that stopped strictly
 * before a target time (a commit stamped at the stop time may precede the stop LSN) — each kept backup with every
 * backup it builds on. Older ones go.
 *
 * <p>WAL: every file numbered from the oldest kept backup's start segment on is kept, on <em>every</em> timeline, and
 * history files always. A full kept only as a reference counts (it is restorable itself, and the simple rule is the
 * safe one); a backup whose chain is broken does not (nothing restores it). Recovery from a backup only ever reads
 * WAL at or after the backup's start, whichever timelines the history files lead it along; the history files
 * themselves are encrypted (this host has no secret key), so expire does not trace the paths and keeps the
 * superset: at worst a few segments of an abandoned branch past the cutoff stay until the cutoff passes them. Files
 * that are not walstow's are never touched.
 */
public final class ExpirePlanner {
    private ExpirePlanner() {}

    public static ExpirePlan plan(Repository repository, RetentionPolicy policy, Instant now) {
        WalSegmentSize size = repository.requireBinding().identity().segmentSize();
        List<BackupManifest> backups = BackupCatalog.load(repository);
        List<ListedObject> backupObjects;
        try {
            backupObjects = repository.store().listWithInfo(BackupLayout.PREFIX);
        } catch (StorageException e) {
            throw RepositoryError.of("listing " + BackupLayout.PREFIX + " in " + repository.location(), e);
        }
        List<String> wal = BackupCatalog.list(repository, RepositoryLayout.WAL_PREFIX);
        return decide(policy, now, backups, backupObjects, wal, size);
    }

    static ExpirePlan decide(RetentionPolicy policy, Instant now, List<BackupManifest> backups,
            List<ListedObject> backupObjects, List<String> walKeys, WalSegmentSize size) {
        Map<String, List<ListedObject>> byLabel = byLabel(backupObjects);
        BackupRetention.Result retention = BackupRetention.decide(policy, now, backups);
        List<ExpirePlan.Backup> kept = new ArrayList<>();
        List<ExpirePlan.Backup> expired = new ArrayList<>();
        for (BackupRetention.Decision d : retention.decisions()) {
            BackupManifest b = d.backup();
            String manifest = BackupLayout.manifestKey(b.label());
            List<String> objects = d.keep() ? List.of() : byLabel.getOrDefault(b.label(), List.of()).stream()
                    .map(ListedObject::key).filter(k -> !k.equals(manifest)).toList();
            (d.keep() ? kept : expired).add(new ExpirePlan.Backup(b.label(), b.backupType().text(), b.reference(),
                    b.stopTime(), manifest, objects, d.reason()));
        }

        BackupManifest oldestKept = retention.walFrom().orElse(null);
        List<ExpirePlan.WalRun> wal = oldestKept == null ? List.of()
                : walToDelete(walKeys, oldestKept.start().segmentNumber(size), size);
        String cutoff = oldestKept == null ? null : oldestKept.startLsn() + " (backup " + oldestKept.label() + ")";

        List<ExpirePlan.Failed> failed = new ArrayList<>();
        List<ExpirePlan.Failed> left = new ArrayList<>();
        Instant oldEnough = now.minus(policy.failedAge());
        for (var e : byLabel.entrySet()) {
            String label = e.getKey();
            List<ListedObject> objects = e.getValue();
            if (objects.stream().anyMatch(o -> o.key().equals(BackupLayout.manifestKey(label)))) {
                continue;
            }
            Instant started = BackupLayout.startOf(label);
            Optional<Instant> lastWritten = objects.stream().flatMap(o -> o.lastModified().stream())
                    .max(Instant::compareTo);
            Instant newest = lastWritten.filter(t -> t.isAfter(started)).orElse(started);
            List<String> keys = objects.stream().map(ListedObject::key).toList();
            String when = "started " + started + lastWritten.map(t -> ", last object stored " + t)
                    .orElse(", store gives no object times");
            if (newest.isBefore(oldEnough)) {
                failed.add(new ExpirePlan.Failed(label, keys, when + ": older than "
                        + Durations.text(policy.failedAge()) + ", an aborted backup"));
            } else {
                left.add(new ExpirePlan.Failed(label, keys, when + ": younger than "
                        + Durations.text(policy.failedAge()) + ", it may still be running"));
            }
        }
        return new ExpirePlan(policy, kept, expired, cutoff, wal, failed, left);
    }

    private static Map<String, List<ListedObject>> byLabel(List<ListedObject> objects) {
        Map<String, List<ListedObject>> result = new TreeMap<>();
        for (ListedObject o : objects) {
            String rest = o.key().substring(BackupLayout.PREFIX.length());
            int slash = rest.indexOf('/');
            String label = slash < 0 ? rest : rest.substring(0, slash);
            if (slash > 0 && BackupLayout.isLabel(label)) { // anything else under backup/ is not walstow's
                result.computeIfAbsent(label, l -> new ArrayList<>()).add(o);
            }
        }
        return result;
    }

    /** Segments, .partial and .backup files numbered before {@code cutoff}, as runs per timeline. */
    static List<ExpirePlan.WalRun> walToDelete(List<String> walKeys, long cutoff, WalSegmentSize size) {
        Map<TimelineId, TreeMap<Long, List<String>>> doomed = new TreeMap<>();
        for (String key : walKeys) {
            Optional<SegmentName> segment = positional(key.substring(key.lastIndexOf('/') + 1));
            if (segment.isPresent() && segment.get().segmentNumber(size) < cutoff) {
                doomed.computeIfAbsent(segment.get().timeline(), t -> new TreeMap<>())
                        .computeIfAbsent(segment.get().segmentNumber(size), s -> new ArrayList<>()).add(key);
            }
        }
        List<ExpirePlan.WalRun> runs = new ArrayList<>();
        for (var perTimeline : doomed.entrySet()) {
            TimelineId t = perTimeline.getKey();
            long first = -1;
            long last = -1;
            List<String> keys = new ArrayList<>();
            for (var e : perTimeline.getValue().entrySet()) {
                if (first >= 0 && e.getKey() != last + 1) {
                    runs.add(run(t, first, last, keys, size));
                    keys = new ArrayList<>();
                    first = -1;
                }
                first = first < 0 ? e.getKey() : first;
                last = e.getKey();
                keys.addAll(e.getValue());
            }
            runs.add(run(t, first, last, keys, size));
        }
        return runs;
    }

    private static ExpirePlan.WalRun run(TimelineId t, long first, long last, List<String> keys, WalSegmentSize size) {
        return new ExpirePlan.WalRun(t, SegmentName.of(t, first, size).fileName(),
                SegmentName.of(t, last, size).fileName(), List.copyOf(keys));
    }

    /** The segment a WAL file sits at, for segments, partial segments and backup history files; history files and
     * names that are not walstow's have none, and are therefore never deleted. */
    private static Optional<SegmentName> positional(String fileName) {
        try {
            return switch (WalFileName.parse(fileName)) {
                case SegmentName s -> Optional.of(s);
                case PartialName p -> Optional.of(p.segment());
                case BackupHistoryName b -> Optional.of(b.segment());
                default -> Optional.empty();
            };
        } catch (WalstowException e) {
            return Optional.empty();
        }
    }
}
