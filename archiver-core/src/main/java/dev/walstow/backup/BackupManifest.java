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
 * @param type {@code full}, {@code diff} or {@code incr} ({@link BackupType}); null in format 1 (always full)
 * @param reference the label of the backup an incremental or differential one builds on; null for a full
 * @param blockSize the cluster's block size (BLCKSZ), the unit of an incremental file
 * @param changesFrom how the changed blocks were found: {@code wal-summary} (the server's WAL summaries, PostgreSQL
 *     17+) or {@code page-scan} (every page read, those with a page LSN at or after the reference's start kept);
 *     null for a full
 * @param stats bytes read from the data directory, stored in the repository (encoded) and changed (whole files
 *     plus changed blocks); null in manifests written before they were recorded
 * @param dataChecksums whether the cluster had data checksums on (null: not recorded). An incremental builds only
 *     on a backup with the same setting: pg_checksums rewrites every page without changing its LSN
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
        @JsonProperty("tablespace-names") Map<String, String> tablespaceNames,
        @JsonProperty("type") String type,
        @JsonProperty("reference") String reference,
        @JsonProperty("block-size") Integer blockSize,
        @JsonProperty("changes-from") String changesFrom,
        @JsonProperty("stats") Stats stats,
        @JsonProperty("data-checksums") Boolean dataChecksums) {

    /** 2: incremental and differential backups (type, reference, file kinds). Format 1 manifests are fulls. */
    public static final int FORMAT = 2;
    /** The oldest format this walstow reads. */
    public static final int OLDEST_FORMAT = 1;

    /** A full backup's manifest. */
    public BackupManifest(int format, String label, String systemIdentifier, int pgVersionNum, long timeline,
            String startLsn, String stopLsn, String startTime, String stopTime, int walSegmentSize, String codec,
            StoredPart backupLabel, StoredPart tablespaceMap, Map<String, String> tablespaces,
            List<Directory> directories, List<FileEntry> files, Map<String, String> tablespaceNames) {
        this(format, label, systemIdentifier, pgVersionNum, timeline, startLsn, stopLsn, startTime, stopTime,
                walSegmentSize, codec, backupLabel, tablespaceMap, tablespaces, directories, files, tablespaceNames,
                null, null, null, null, null, null);
    }

    /** A manifest without tablespace names. */
    public BackupManifest(int format, String label, String systemIdentifier, int pgVersionNum, long timeline,
            String startLsn, String stopLsn, String startTime, String stopTime, int walSegmentSize, String codec,
            StoredPart backupLabel, StoredPart tablespaceMap, Map<String, String> tablespaces,
            List<Directory> directories, List<FileEntry> files) {
        this(format, label, systemIdentifier, pgVersionNum, timeline, startLsn, stopLsn, startTime, stopTime,
                walSegmentSize, codec, backupLabel, tablespaceMap, tablespaces, directories, files, null);
    }

    /** The file at {@code path}, if this backup lists it. */
    public java.util.Optional<FileEntry> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /**
     * @param readBytes bytes read from the data directory
     * @param storedBytes bytes of the objects stored (compressed and encrypted), manifest excluded
     * @param changedBytes bytes of whole files plus changed blocks: what a restore takes from this backup
     */
    public record Stats(@JsonProperty("read-bytes") long readBytes, @JsonProperty("stored-bytes") long storedBytes,
            @JsonProperty("changed-bytes") long changedBytes) {}

    /** @param mode octal permission bits, e.g. {@code 700} */
    public record Directory(@JsonProperty("path") String path, @JsonProperty("mode") String mode) {}

    /**
     * @param path relative to the data directory, '/'-separated
     * @param size the file's length: bytes read at backup time (a file may change while it is read; WAL replay
     *     repairs it); for an incremental or unchanged file, the length a restore gives it
     * @param parts a whole file's contents in order, each part with the SHA-256 of its bytes (a file up to
     *     {@link BackupLayout#PART_SIZE} has one part, whose checksum is the file's); an incremental file's objects
     *     in the {@code IncrementalFormat} (one per {@link BackupLayout#PART_SIZE} range that has changed blocks);
     *     none for an unchanged file
     * @param kind null (whole), {@code incremental} or {@code unchanged} ({@link FileKind})
     */
    public record FileEntry(@JsonProperty("path") String path, @JsonProperty("size") long size,
            @JsonProperty("mode") String mode, @JsonProperty("parts") List<StoredPart> parts,
            @JsonProperty("kind") String kind) {

        /** A whole file. */
        public FileEntry(String path, long size, String mode, List<StoredPart> parts) {
            this(path, size, mode, parts, null);
        }

        public FileKind fileKind() {
            return FileKind.parse(kind);
        }
    }

    /**
     * One stored object: {@code size} plaintext bytes with their SHA-256. For a whole file the bytes at
     * {@code offset} of its file; for an incremental file an {@code IncrementalFormat} object holding {@code blocks}
     * changed blocks of the range starting at {@code offset}.
     */
    public record StoredPart(@JsonProperty("key") String key, @JsonProperty("offset") long offset,
            @JsonProperty("size") long size, @JsonProperty("sha256") String sha256,
            @JsonProperty("blocks") Integer blocks) {

        /** A part of a whole file. */
        public StoredPart(String key, long offset, long size, String sha256) {
            this(key, offset, size, sha256, null);
        }
    }

    /** Whole, incremental or unchanged: how a file of this backup is stored. */
    public enum FileKind {
        WHOLE(null), INCREMENTAL("incremental"), UNCHANGED("unchanged");

        private final String text;

        FileKind(String text) {
            this.text = text;
        }

        /** What the manifest says (null for whole, so that a full's manifest reads as before). */
        public String text() {
            return text;
        }

        static FileKind parse(String text) {
            for (FileKind k : values()) {
                if (java.util.Objects.equals(k.text, text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown file kind " + text);
        }
    }

    /** Full, differential or incremental (a format 1 manifest is a full). */
    public BackupType backupType() {
        return type == null ? BackupType.FULL : BackupType.parse(type);
    }

    /** The same backup as an incremental or differential one of {@code reference}. */
    public BackupManifest withChain(BackupType backupType, String referenceLabel, int blocks, String source,
            Stats sizes) {
        return new BackupManifest(format, label, systemIdentifier, pgVersionNum, timeline, startLsn, stopLsn,
                startTime, stopTime, walSegmentSize, codec, backupLabel, tablespaceMap, tablespaces, directories,
                files, tablespaceNames, backupType.text(), referenceLabel, blocks, source, sizes, dataChecksums);
    }

    /** The same backup, recording whether the cluster had data checksums on. */
    public BackupManifest withDataChecksums(boolean on) {
        return new BackupManifest(format, label, systemIdentifier, pgVersionNum, timeline, startLsn, stopLsn,
                startTime, stopTime, walSegmentSize, codec, backupLabel, tablespaceMap, tablespaces, directories,
                files, tablespaceNames, type, reference, blockSize, changesFrom, stats, on);
    }

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
