package dev.walstow.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.walstow.backup.BackupManifest;
import java.time.Duration;
import java.time.Instant;

/**
 * What one run of {@code walstow backup}, {@code expire} or {@code verify} did, as {@link RunRecords} keeps it in the
 * repository for the daemon's metrics. Plain JSON like a manifest: any host reads it without a key.
 *
 * @param format record format, to skip records of an incompatible walstow
 * @param kind {@code backup}, {@code expire} or {@code verify}
 * @param startedAt when the command started (this host's clock)
 * @param finishedAt when it finished
 * @param ok whether it did all it set out to do (a backup record is only written for a complete backup)
 * @param problems what verify found wrong (missing, corrupt objects, WAL gaps, broken chains); 0 otherwise
 * @param summary one line for people: what was done, or the error that stopped it
 * @param backup for a backup: which one, from its manifest
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(
        @JsonProperty("format") int format,
        @JsonProperty("kind") String kind,
        @JsonProperty("started-at") String startedAt,
        @JsonProperty("finished-at") String finishedAt,
        @JsonProperty("ok") boolean ok,
        @JsonProperty("problems") long problems,
        @JsonProperty("summary") String summary,
        @JsonProperty("backup") Backup backup) {

    public static final int FORMAT = 1;

    /**
     * @param type {@code full}, {@code diff} or {@code incr}
     * @param startTime server clock just after pg_backup_start (manifest {@code start-time})
     * @param stopTime server clock just after pg_backup_stop (manifest {@code stop-time})
     * @param bytes data directory bytes the backup restores (with its chain), before compression
     * @param files how many files
     */
    public record Backup(@JsonProperty("label") String label, @JsonProperty("type") String type,
            @JsonProperty("start-time") String startTime, @JsonProperty("stop-time") String stopTime,
            @JsonProperty("bytes") long bytes, @JsonProperty("files") int files) {

        public static Backup of(BackupManifest m) {
            return new Backup(m.label(), m.backupType().text(), m.startTime(), m.stopTime(), m.totalBytes(),
                    m.files().size());
        }

        public Instant stopInstant() {
            return Instant.parse(stopTime);
        }

        /** pg_backup_start to pg_backup_stop, by the server's clock. */
        public Duration duration() {
            return Duration.between(Instant.parse(startTime), stopInstant());
        }
    }

    public static RunRecord backup(BackupManifest m, Instant startedAt, Instant finishedAt) {
        return new RunRecord(FORMAT, RunRecords.Kind.BACKUP.id(), startedAt.toString(), finishedAt.toString(), true,
                0, "backup " + m.label() + " complete", Backup.of(m));
    }

    public static RunRecord of(RunRecords.Kind kind, Instant startedAt, Instant finishedAt, boolean ok,
            long problems, String summary) {
        return new RunRecord(FORMAT, kind.id(), startedAt.toString(), finishedAt.toString(), ok, problems, summary,
                null);
    }

    public Instant finishedInstant() {
        return Instant.parse(finishedAt);
    }
}
