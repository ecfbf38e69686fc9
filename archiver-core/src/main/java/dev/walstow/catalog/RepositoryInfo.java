package dev.walstow.catalog;

import dev.walstow.backup.BackupManifest;
import dev.walstow.config.ConfigKeys;
import dev.walstow.repo.ActiveLock;
import dev.walstow.repo.LockProgress;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLock;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code walstow info}: what the repository can recover. Reads only listings and the plain manifests, so it works
 * on the archiving host without the secret key.
 *
 * <p>The newest segment's age is the store's time for its object ({@code ObjectStore.listWithInfo}: the link's
 * mtime on posix, Last-Modified on S3), i.e. when it was archived, not when PostgreSQL wrote it; absent (null) with a
 * store that cannot tell. A large age on a busy server means archiving has stalled.
 *
 * <p>A backup or expire running meanwhile (it holds the repository lock) is shown with its progress; a backup's
 * objects without a manifest are not listed as a backup.
 */
public record RepositoryInfo(
        String repository,
        RepositoryBinding cluster,
        List<Backup> backups,
        List<Timeline> timelines,
        String oldestRecoverableTime,
        String newestSegment,
        String newestSegmentStored,
        Long newestSegmentAgeSeconds,
        Running running) {

    /**
     * @param bytes the size of the data directory the backup restores (with its chain, for a diff or incr)
     * @param type {@code full}, {@code diff} or {@code incr}
     * @param reference the backup it builds on; null for a full
     * @param readBytes bytes the backup read from the data directory; {@code storedBytes} the objects it stored
     *     (compressed and encrypted); {@code changedBytes} its whole files plus changed blocks: what a restore takes
     *     from it. All three null for a backup whose manifest predates them
     */
    public record Backup(String label, long timeline, String startLsn, String stopLsn, String startTime,
            String stopTime, long bytes, int files, String type, String reference, Long readBytes, Long storedBytes,
            Long changedBytes) {

        public static Backup of(BackupManifest m) {
            BackupManifest.Stats s = m.stats();
            return new Backup(m.label(), m.timeline(), m.startLsn(), m.stopLsn(), m.startTime(), m.stopTime(),
                    m.totalBytes(), m.files().size(), m.backupType().text(), m.reference(),
                    s == null ? null : s.readBytes(), s == null ? null : s.storedBytes(),
                    s == null ? null : s.changedBytes());
        }

        /** {@code full}, or e.g. {@code incr of 20260121T140300Z}. */
        String kind() {
            return reference == null ? type : type + " of " + reference;
        }
    }

    public record Timeline(long timeline, List<Range> ranges, List<Range> gaps) {}

    /** WAL files {@code first} to {@code last} of one timeline, both included. */
    public record Range(String first, String last) {
        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /**
     * The backup or expire holding the repository lock ({@code RepositoryLock}), if one does: who, since when, its
     * last heartbeat and the progress published with it.
     *
     * @param state {@code running}; {@code exited} (its process on this host is gone) or {@code stale} (no heartbeat
     *     for longer than {@code [backup] lock-stale-after}): then the next backup or expire takes the lock over
     */
    public record Running(String command, String host,
            long pid, String since,
            String lastHeartbeat,
            long heartbeatAgeSeconds, String state,
            LockProgress progress) {

        static Running of(ActiveLock a) {
            return new Running(a.holder().command(), a.holder().host(), a.holder().pid(), a.holder().since(),
                    a.lastSign().toString(), a.silence().toSeconds(), a.state().name().toLowerCase(Locale.ROOT),
                    a.progress().orElse(null));
        }

        String text() {
            String line = command + " running: host " + host + ", pid " + pid + ", since " + since;
            if (!state.equals("running")) {
                return line + "; but " + (state.equals("exited") ? "its process has exited"
                        : "it has sent no heartbeat for " + age(heartbeatAgeSeconds))
                        + ": the next backup or expire takes its lock over";
            }
            return line + (progress == null ? "" : ", progress " + progress.text()) + " (last heartbeat "
                    + age(heartbeatAgeSeconds) + " ago)";
        }
    }

    public static RepositoryInfo of(Repository repository, Duration lockStaleAfter) {
        return of(repository, Instant.now(), RepositoryLock.of(repository, lockStaleAfter));
    }

    public static RepositoryInfo of(Repository repository, Instant now) {
        return of(repository, now, RepositoryLock.of(repository, ConfigKeys.BACKUP_LOCK_STALE_AFTER.defaultValue()));
    }

    public static RepositoryInfo of(Repository repository, Instant now, RepositoryLock lock) {
        RepositoryBinding binding = repository.requireBinding();
        WalSegmentSize size = binding.identity().segmentSize();
        WalCatalog catalog = WalCatalog.load(repository, size);
        List<Backup> backups = BackupCatalog.load(repository).stream().map(Backup::of).toList();
        List<Timeline> timelines = new ArrayList<>();
        for (TimelineId t : catalog.timelines()) {
            List<WalCatalog.Range> ranges = catalog.ranges(t);
            List<Range> text = new ArrayList<>();
            List<Range> gaps = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                WalCatalog.Range r = ranges.get(i);
                text.add(new Range(SegmentName.of(t, r.first(), size).fileName(),
                        SegmentName.of(t, r.last(), size).fileName()));
                if (i > 0) {
                    long from = ranges.get(i - 1).last() + 1;
                    gaps.add(new Range(SegmentName.of(t, from, size).fileName(),
                            SegmentName.of(t, r.first() - 1, size).fileName()));
                }
            }
            timelines.add(new Timeline(t.value(), text, gaps));
        }
        // A backup can recover to any point after its end, given the WAL: the oldest backup's stop time.
        String oldest = backups.isEmpty() ? null : backups.getFirst().stopTime();
        String newest = catalog.newestSegment().map(SegmentName::fileName).orElse(null);
        Instant stored = newest == null ? null : catalog.storedAt(newest).orElse(null);
        Long age = stored == null ? null : Math.max(0, Duration.between(stored, now).toSeconds());
        Running running = lock.active().map(Running::of).orElse(null);
        return new RepositoryInfo(repository.location(), binding, backups, timelines, oldest, newest,
                stored == null ? null : stored.toString(), age, running);
    }

    private static String age(long seconds) {
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m";
        }
        return seconds < 172_800 ? seconds / 3600 + "h" : seconds / 86_400 + "d";
    }

    private static String join(List<Range> ranges) {
        return String.join(", ", ranges.stream().map(Range::toString).toList());
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("repository ").append(repository).append(" (").append(cluster.describe()).append(")\n");
        sb.append("backups:\n");
        if (backups.isEmpty()) {
            sb.append("  none\n");
        }
        for (Backup b : backups) {
            sb.append(String.format("  %s  %s  timeline %d  %s .. %s  %s .. %s  %,d bytes in %d files%s%n",
                    b.label(), b.kind(), b.timeline(), b.startLsn(), b.stopLsn(), b.startTime(), b.stopTime(),
                    b.bytes(), b.files(), b.storedBytes() == null ? "" : String.format(", %,d changed, %,d stored",
                            b.changedBytes(), b.storedBytes())));
        }
        sb.append("WAL:\n");
        for (Timeline t : timelines) {
            sb.append(String.format("  timeline %d: %s%s%n", t.timeline(), t.ranges().isEmpty() ? "(history only)"
                    : join(t.ranges()), t.gaps().isEmpty() ? "" : "  GAPS: " + join(t.gaps())));
        }
        sb.append("oldest recoverable point: ").append(oldestRecoverableTime == null ? "none (no backup)"
                : oldestRecoverableTime).append('\n');
        sb.append("newest archived segment: ").append(newestSegment == null ? "none" : newestSegment);
        if (newestSegment != null) {
            sb.append(newestSegmentAgeSeconds == null ? " (the store gives no archive time)"
                    : " (archived " + newestSegmentStored + ", " + age(newestSegmentAgeSeconds) + " ago)");
        }
        sb.append('\n');
        if (running != null) {
            sb.append(running.text()).append('\n');
        }
        return sb.toString();
    }
}
