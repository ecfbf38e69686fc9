package dev.walstow.backup;

import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.FileKind;
import dev.walstow.error.DataError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A backup and every backup it builds on, newest first, ending at a full: what a restore of the newest one reads.
 * Built only when complete: every reference's manifest is there, each is older than the backup naming it, of the
 * same cluster and block size, and every file the newer backups list as incremental or unchanged has a version in
 * the older ones down to a whole copy. A restore therefore refuses a broken chain before it writes anything, and
 * {@code verify} reports the same break.
 */
public final class BackupChain {
    /** Far more than any schedule makes (a full a week, an incremental every 15 minutes is 672). */
    static final int MAX_LENGTH = 10_000;

    /** One backup's version of a file. */
    public record Layer(BackupManifest backup, FileEntry entry) {}

    /**
     * How to rebuild one file of the newest backup.
     *
     * @param length the file's length after restore
     * @param increments incremental versions, newest first: a block is taken from the first that has it
     * @param base the whole copy the increments apply to (blocks no increment has)
     */
    public record FileLayers(String path, long length, List<Layer> increments, Layer base) {
        /** Whether the file is restored from one whole copy, with no incremental layer. */
        public boolean whole() {
            return increments.isEmpty();
        }
    }

    private final List<BackupManifest> backups;
    private final List<Map<String, FileEntry>> filesByPath;

    private BackupChain(List<BackupManifest> backups) {
        this.backups = List.copyOf(backups);
        this.filesByPath = new ArrayList<>();
        for (BackupManifest m : backups) {
            Map<String, FileEntry> byPath = new HashMap<>();
            m.files().forEach(f -> byPath.put(f.path(), f));
            filesByPath.add(byPath);
        }
    }

    /**
     * The chain of {@code newest}, its references read through {@code byLabel}.
     *
     * @throws DataError when the chain is broken, naming the break
     */
    public static BackupChain of(BackupManifest newest, Function<String, Optional<BackupManifest>> byLabel) {
        List<BackupManifest> chain = new ArrayList<>();
        BackupManifest current = newest;
        chain.add(current);
        while (current.backupType() != BackupType.FULL) {
            String ref = current.reference();
            if (ref == null || ref.compareTo(current.label()) >= 0 || chain.size() >= MAX_LENGTH) {
                throw broken(newest, "backup " + current.label() + " names reference '" + ref
                        + "', which is not an older backup");
            }
            Optional<BackupManifest> older = byLabel.apply(ref);
            if (older.isEmpty()) {
                throw broken(newest, "backup " + current.label() + " builds on " + ref + ", which is not in the "
                        + "repository (deleted, or its manifest is missing)");
            }
            BackupManifest o = older.get();
            if (!o.systemIdentifier().equals(current.systemIdentifier()) || !sameBlockSize(o, current)) {
                throw broken(newest, "backup " + current.label() + " builds on " + ref + ", which belongs to another "
                        + "cluster or block size");
            }
            chain.add(o);
            current = o;
        }
        BackupChain result = new BackupChain(chain);
        for (FileEntry f : newest.files()) {
            result.layers(f);
        }
        return result;
    }

    /** A format 1 full did not record its block size: its system identifier already ties it to the cluster. */
    private static boolean sameBlockSize(BackupManifest a, BackupManifest b) {
        return a.blockSize() == null || b.blockSize() == null || a.blockSize().equals(b.blockSize());
    }

    private static DataError broken(BackupManifest newest, String what) {
        return DataError.integrity("the backup chain of " + newest.label() + " is broken: " + what,
                "restore an older backup whose chain is complete (--set; walstow verify lists the broken chains), "
                        + "and take a new full backup (walstow backup --type full)", null);
    }

    /** Newest first; the last is the full. */
    public List<BackupManifest> backups() {
        return backups;
    }

    public BackupManifest newest() {
        return backups.getFirst();
    }

    public BackupManifest full() {
        return backups.getLast();
    }

    /** The newest backup's entry for {@code path}, by the chain's index (not a scan of its file list). */
    public Optional<FileEntry> newestFile(String path) {
        return Optional.ofNullable(filesByPath.getFirst().get(path));
    }

    /** Labels of every backup of the chain, newest first. */
    public List<String> labels() {
        return backups.stream().map(BackupManifest::label).toList();
    }

    /**
     * The versions of {@code file} (a file of the newest backup) a restore combines.
     *
     * @throws DataError when an older backup lacks a version the newer one relies on
     */
    public FileLayers layers(FileEntry file) {
        List<Layer> increments = new ArrayList<>();
        FileEntry at = file;
        for (int i = 0; i < backups.size(); i++) {
            if (i > 0) {
                at = filesByPath.get(i).get(file.path());
                if (at == null) {
                    throw broken(newest(), "backup " + backups.get(i - 1).label() + " keeps " + file.path()
                            + " as incremental or unchanged but " + backups.get(i).label() + " has no copy of it");
                }
            }
            FileKind kind = at.fileKind();
            if (kind == FileKind.WHOLE) {
                return new FileLayers(file.path(), file.size(), List.copyOf(increments), new Layer(backups.get(i),
                        at));
            }
            if (kind == FileKind.INCREMENTAL) {
                increments.add(new Layer(backups.get(i), at));
            }
        }
        throw broken(newest(), file.path() + " has no whole copy down to the full " + full().label());
    }
}
