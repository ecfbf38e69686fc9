package dev.walstow.backup;

import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.FileKind;
import dev.walstow.backup.BackupManifest.StoredPart;
import java.util.List;
import java.util.Map;

/** Small manifests for tests of chains: labels are start times, LSNs grow with them. */
final class Manifests {
    static final String SYSTEM = "7000000000000000001";

    private Manifests() {}

    static BackupManifest full(String label, long timeline, String start, FileEntry... files) {
        return manifest(label, timeline, start, files).withChain(BackupType.FULL, null, 8192, null, null)
                .withDataChecksums(false);
    }

    static BackupManifest of(BackupType type, String label, String reference, String start, FileEntry... files) {
        return manifest(label, 1, start, files).withChain(type, reference, 8192, "page-scan", null)
                .withDataChecksums(false);
    }

    private static BackupManifest manifest(String label, long timeline, String start, FileEntry... files) {
        return new BackupManifest(BackupManifest.FORMAT, label, SYSTEM, 150004, timeline, start, start,
                "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 16 << 20, "zstd+openpgp",
                new StoredPart("backup/" + label + "/backup_label", 0, 10, "aa"), null, Map.of(), List.of(),
                List.of(files));
    }

    static FileEntry whole(String label, String path, long size) {
        return new FileEntry(path, size, "600", List.of(new StoredPart("backup/" + label + "/data/" + path, 0, size,
                "ff")));
    }

    static FileEntry incremental(String label, String path, long size) {
        return new FileEntry(path, size, "600", List.of(new StoredPart("backup/" + label + "/data/" + path, 0, 100,
                "ee", 1)), FileKind.INCREMENTAL.text());
    }

    static FileEntry unchanged(String path, long size) {
        return new FileEntry(path, size, "600", List.of(), FileKind.UNCHANGED.text());
    }
}
