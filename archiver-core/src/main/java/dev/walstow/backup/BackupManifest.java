package dev.walstow.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to restore one base backup, and to decide which backup and WAL a recovery needs. Stored as plain
 * JSON so that {@code info} and {@code expire} work on the archiving host, which has no secret key; it reveals file
 * names, sizes and plaintext checksums, which every object's metadata already shows.
 *
 * @param format manifest format, to refuse manifests of an incompatible walstow
 * @param label the backup's name, its UTC start time
 * @param systemIdentifier the cluster's system identifier (must equal the repository's binding)
 * @param pgVersionNum server_version_num, e.g. 150013
 * @param timeline the timeline the backup started on (START TIMELINE of backup_label)
 * @param startLsn redo point of the backup's start checkpoint: recovery starts here
 * @param stopLsn end of the backup: recovery is consistent once it has replayed up to here
 * @param startTime server clock just after pg_backup_start
 * @param stopTime server clock just after pg_backup_stop: a commit stamped later lies after {@code stopLsn}
 * @param walSegmentSize bytes per WAL segment
 * @param codec codec of the data objects
 * @param backupLabel the object holding backup_label (plaintext SHA-256 in {@code backupLabelSha256})
 * @param tablespaceMap the object holding tablespace_map, or null when the cluster has no tablespaces
 * @param tablespaces tablespace OID to its location at backup time
 * @param tablespaceNames tablespace OID to its name (pg_tablespace.spcname) at backup time; null in manifests of
 *     walstow versions before it was recorded (restore then maps tablespaces by OID only)
 * @param directories every directory to create, relative to the data directory ({@code pg_tblspc/OID/...} for
 *     tablespaces), with its mode
 * @param files every file, with its parts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
        @JsonProperty("format") int format,
        @JsonProperty("label") String label,
        @JsonProperty("system-identifier") String systemIdentifier,
        @JsonProperty("pg-version-num") int pgVersionNum,
        @JsonProperty("timeline") long timeline,
        @JsonProperty("start-lsn") String startLsn,
        @JsonProperty("stop-lsn") String stopLsn,
        @JsonProperty("start-time") String startTime,
        @JsonProperty("stop-time") String stopTime,
        @JsonProperty("wal-segment-size") int walSegmentSize,
        @JsonProperty("codec") String codec,
        @JsonProperty("backup-label") StoredPart backupLabel,
        @JsonProperty("tablespace-map") StoredPart tablespaceMap,
        @JsonProperty("tablespaces") Map<String, String> tablespaces,
        @JsonProperty("directories") List<Directory> directories,
        @JsonProperty("files") List<FileEntry> files,
        @JsonProperty("tablespace-names") Map<String, String> tablespaceNames) {

    public static final int FORMAT = 1;

    /** A manifest without tablespace names. */
    public BackupManifest(int format, String label, String systemIdentifier, int pgVersionNum, long timeline,
            String startLsn, String stopLsn, String startTime, String stopTime, int walSegmentSize, String codec,
            StoredPart backupLabel, StoredPart tablespaceMap, Map<String, String> tablespaces,
            List<Directory> directories, List<FileEntry> files) {
        this(format, label, systemIdentifier, pgVersionNum, timeline, startLsn, stopLsn, startTime, stopTime,
                walSegmentSize, codec, backupLabel, tablespaceMap, tablespaces, directories, files, null);
    }

    /** @param mode octal permission bits, e.g. {@code 700} */
    public record Directory(@JsonProperty("path") String path, @JsonProperty("mode") String mode) {}

    /**
     * @param path relative to the data directory, '/'-separated
     * @param size bytes read at backup time (a file may change while it is read; WAL replay repairs it)
     * @param parts the file's contents in order; each part carries the SHA-256 of its bytes (a file up to
     *     {@link BackupLayout#PART_SIZE} has one part, whose checksum is the file's)
     */
    public record FileEntry(@JsonProperty("path") String path, @JsonProperty("size") long size,
            @JsonProperty("mode") String mode, @JsonProperty("parts") List<StoredPart> parts) {}

    /** One stored object: {@code size} plaintext bytes at {@code offset} of its file, with their SHA-256. */
    public record StoredPart(@JsonProperty("key") String key, @JsonProperty("offset") long offset,
            @JsonProperty("size") long size, @JsonProperty("sha256") String sha256) {}

    public Lsn start() {
        return Lsn.parse(startLsn);
    }

    public Lsn stop() {
        return Lsn.parse(stopLsn);
    }

    public TimelineId timelineId() {
        return new TimelineId(timeline);
    }

    public Instant stopInstant() {
        return Instant.parse(stopTime);
    }

    public Instant startInstant() {
        return Instant.parse(startTime);
    }

    public WalSegmentSize segmentSize() {
        return new WalSegmentSize(walSegmentSize);
    }

    public SegmentName startSegment() {
        return SegmentName.containing(timelineId(), start(), segmentSize());
    }

    public SegmentName stopSegment() {
        return SegmentName.containing(timelineId(), stop(), segmentSize());
    }

    public long totalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }

    /** Every object key of this backup except the manifest. */
    public List<StoredPart> allParts() {
        java.util.ArrayList<StoredPart> all = new java.util.ArrayList<>();
        all.add(backupLabel);
        if (tablespaceMap != null) {
            all.add(tablespaceMap);
        }
        files.forEach(f -> all.addAll(f.parts()));
        return all;
    }
}
