package dev.walstow.cli;

import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.RepositoryInfo;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.runtime.Json;
import java.util.List;

/**
 * {@code walstow info --output json} (docs/json.md).
 *
 * @param cluster the cluster the repository is bound to
 * @param oldestRecoverableTime the oldest backup's stop time: null without a backup
 * @param newestSegmentStored when the store got the newest segment; null when the store cannot tell
 */
record InfoJson(int walstowJson, String repository, Cluster cluster, List<Backup> backups,
        List<Timeline> timelines, String oldestRecoverableTime, String newestSegment, String newestSegmentStored,
        Long newestSegmentAgeSeconds, Running running) {

    /** A backup or expire holding the repository's lock; {@code state} running, exited or silent. */
    record Running(String command, String host, long pid, String since, String lastHeartbeat,
            long heartbeatAgeSeconds, String state, Progress progress) {
        static Running of(RepositoryInfo.Running r) {
            return r == null ? null : new Running(r.command(), r.host(), r.pid(), r.since(), r.lastHeartbeat(),
                    r.heartbeatAgeSeconds(), r.state(), r.progress() == null ? null : new Progress(
                    r.progress().filesDone(), r.progress().filesTotal(), r.progress().bytesDone(),
                    r.progress().bytesTotal()));
        }
    }

    record Progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {}

    /** @param systemIdentifier a string: 64 bits do not fit the numbers most JSON readers have */
    record Cluster(String systemIdentifier, int pgMajor, long walSegmentSize) {}

    /**
     * One complete backup, as {@code info} lists it and {@code backup} and {@code restore} report it.
     *
     * @param type {@code full}, {@code diff} or {@code incr}; {@code reference} the backup it builds on (null: full)
     * @param readBytes with {@code stored_bytes} and {@code changed_bytes}: null for a backup whose manifest predates
     *     them
     */
    record Backup(String label, long timeline, String startLsn, String stopLsn, String startTime, String stopTime,
            long bytes, int files, String type, String reference, Long readBytes, Long storedBytes,
            Long changedBytes) {
        static Backup of(BackupManifest m) {
            return of(RepositoryInfo.Backup.of(m));
        }

        static Backup of(RepositoryInfo.Backup b) {
            return new Backup(b.label(), b.timeline(), b.startLsn(), b.stopLsn(), b.startTime(), b.stopTime(),
                    b.bytes(), b.files(), b.type(), b.reference(), b.readBytes(), b.storedBytes(), b.changedBytes());
        }
    }

    /** @param ranges runs of WAL files present; {@code gaps} the runs missing between them */
    record Timeline(long timeline, List<Range> ranges, List<Range> gaps) {}

    record Range(String first, String last) {}

    static InfoJson of(RepositoryInfo info) {
        RepositoryBinding b = info.cluster();
        return new InfoJson(Json.VERSION, info.repository(),
                new Cluster(b.systemIdentifier(), b.pgMajor(), b.walSegmentSize()),
                info.backups().stream().map(Backup::of).toList(),
                info.timelines().stream().map(t -> new Timeline(t.timeline(), ranges(t.ranges()),
                        ranges(t.gaps()))).toList(),
                info.oldestRecoverableTime(), info.newestSegment(), info.newestSegmentStored(),
                info.newestSegmentAgeSeconds(), Running.of(info.running()));
    }

    private static List<Range> ranges(List<RepositoryInfo.Range> ranges) {
        return ranges.stream().map(r -> new Range(r.first(), r.last())).toList();
    }
}
