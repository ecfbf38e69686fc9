package dev.walstow.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the repository says about the maintenance commands, which run as processes of their own: the newest complete
 * backup, and how the last {@code expire} and {@code verify} ended. The daemon reads it from the repository at start
 * and every minute; the metrics gauges show the latest.
 *
 * @param backup empty when the repository holds no complete backup
 * @param expire empty when no expire has recorded a run
 * @param verify empty when no verify has recorded a run
 */
public record RepositoryFacts(Optional<LastBackup> backup, Optional<LastRun> expire, Optional<LastRun> verify) {

    /**
     * @param stoppedAt when it ended (pg_backup_stop, by the server's clock)
     * @param bytes data directory bytes it holds, before compression
     * @param duration pg_backup_start to pg_backup_stop
     * @param type {@code full}
     */
    public record LastBackup(String label, Instant stoppedAt, long bytes, Duration duration, String type) {}

    /** @param problems what verify found wrong; 0 for expire */
    public record LastRun(Instant finishedAt, boolean ok, long problems) {}
}
