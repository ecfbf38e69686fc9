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

    /** One complete backup, as {@code info} lists it and {@code backup} and {@code restore} report it. */
    record Backup(String label, long timeline, String startLsn, String stopLsn, String startTime, String stopTime,
            long bytes, int files) {
        static Backup of(BackupManifest m) {
            return new Backup(m.label(), m.timeline(), m.startLsn(), m.stopLsn(), m.startTime(), m.stopTime(),
                    m.totalBytes(), m.files().size());
        }
    }

    /** @param ranges runs of WAL files present; {@code gaps} the runs missing between them */
    record Timeline(long timeline, List<Range> ranges, List<Range> gaps) {}

    record Range(String first, String last) {}

    static InfoJson of(RepositoryInfo info) {
        RepositoryBinding b = info.cluster();
        return new InfoJson(Json.VERSION, info.repository(),
                new Cluster(b.systemIdentifier(), b.pgMajor(), b.walSegmentSize()),
                info.backups().stream().map(k -> new Backup(k.label(), k.timeline(), k.startLsn(), k.stopLsn(),
                        k.startTime(), k.stopTime(), k.bytes(), k.files())).toList(),
                info.timelines().stream().map(t -> new Timeline(t.timeline(), ranges(t.ranges()),
                        ranges(t.gaps()))).toList(),
                info.oldestRecoverableTime(), info.newestSegment(), info.newestSegmentStored(),
                info.newestSegmentAgeSeconds(), Running.of(info.running()));
    }

    private static List<Range> ranges(List<RepositoryInfo.Range> ranges) {
        return ranges.stream().map(r -> new Range(r.first(), r.last())).toList();
    }
}
