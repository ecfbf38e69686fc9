package dev.walstow.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a base backup lives in the repository. Data objects are numbered rather than named after the file they
 * hold: data directory paths may contain characters object keys cannot (and tablespace paths are absolute), and the
 * manifest maps numbers back to paths anyway.
 *
 * <pre>
 * backup/20260121T140300Z/manifest.json        plain JSON, written last: its presence means "complete"
 * backup/20260121T140300Z/backup_label         from pg_backup_stop, encoded like every data object
 * backup/20260121T140300Z/tablespace_map       idem, only when the cluster has tablespaces
 * backup/20260121T140300Z/data/000017.0003     file 17, part 3 (files are cut into parts of PART_SIZE)
 * </pre>
 */
public final class BackupLayout {
    public static final String PREFIX = "backup/";
    public static final String MANIFEST = "manifest.json";
    /** 256 MiB: a 1 GiB relation segment becomes four objects uploaded in parallel; memory use does not depend on it. */
    public static final long PART_SIZE = 256L << 20;
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern LABEL_PATTERN = Pattern.compile("\\d{8}T\\d{6}Z");

    private BackupLayout() {}

    /** Labels sort by time as strings, so listing order is age order. */
    public static String labelFor(Instant start) {
        return LABEL.format(start);
    }

    public static boolean isLabel(String text) {
        return LABEL_PATTERN.matcher(text).matches();
    }

    public static String directory(String label) {
        return PREFIX + label + "/";
    }

    public static String manifestKey(String label) {
        return directory(label) + MANIFEST;
    }

    public static String backupLabelKey(String label) {
        return directory(label) + "backup_label";
    }

    public static String tablespaceMapKey(String label) {
        return directory(label) + "tablespace_map";
    }

    public static String partKey(String label, int file, int part) {
        return directory(label) + "data/" + String.format("%06d.%04d", file, part);
    }

    /** The label of a manifest key ({@code backup/L/manifest.json}), if it is one. */
    public static Optional<String> labelOfManifest(String key) {
        if (!key.startsWith(PREFIX) || !key.endsWith("/" + MANIFEST)) {
            return Optional.empty();
        }
        String label = key.substring(PREFIX.length(), key.length() - MANIFEST.length() - 1);
        return isLabel(label) ? Optional.of(label) : Optional.empty();
    }
}
