package dev.walstow.restore;

import dev.walstow.agent.Failures;
import dev.walstow.backup.BackupManifest;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data directory a restore writes, and the tablespace directories beside it. Paths in a manifest are relative
 * to the data directory; {@code pg_tblspc/OID/...} maps to the tablespace's location ({@link TablespaceMapping}),
 * reached through the symbolic link PostgreSQL expects in pg_tblspc.
 *
 * <p>From its first write until its last, a restore keeps a marker file ({@value #INCOMPLETE}) in the data directory
 * and in each tablespace directory. A directory so marked is walstow's own interrupted restore: the next restore
 * into it resumes (as {@code --delta} would: files that match are kept, the rest is fetched or deleted) instead of
 * refusing a non-empty directory.
 */
final class TargetDirectory {
    static final String INCOMPLETE = ".walstow-restore-incomplete";

    /** How a restore may write: into empty directories, over files it checks (--delta), or resuming its own. */
    enum Mode { FRESH, DELTA, RESUME }

    private final Path root;
    private final Map<String, Path> tablespaces;

    TargetDirectory(Path root, Map<String, Path> tablespaces) {
        this.root = root.toAbsolutePath().normalize();
        this.tablespaces = Map.copyOf(tablespaces);
    }

    Path root() {
        return root;
    }

    /** Where a manifest path lands; refuses anything that would leave the directories it belongs in. */
    Path resolve(String relative) {
        String[] parts = relative.split("/", 3);
        Path base = root;
        String rest = relative;
        if (parts.length >= 2 && parts[0].equals("pg_tblspc") && tablespaces.containsKey(parts[1])) {
            base = tablespaces.get(parts[1]);
            rest = parts.length == 3 ? parts[2] : "";
        }
        Path p = rest.isEmpty() ? base : base.resolve(rest).normalize();
        if (!p.startsWith(base)) {
            throw UserError.usage("manifest path " + relative + " leaves its directory", "run walstow verify");
        }
        return p;
    }

    /** Every directory a restore writes into: the data directory, then the tablespace locations. */
    private List<Path> bases() {
        return Stream.concat(Stream.of(root), tablespaces.values().stream()).toList();
    }

    /**
     * The checks made before anything is written: each directory is absent or an empty directory (or --delta, or
     * walstow's own incomplete restore), and can be created or written by this user.
     */
    Mode checkUsable(boolean delta) {
        for (Path p : bases()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw UserError.usage(p + " exists and is not a directory", "restore into a directory");
            }
            Path existing = existingAncestor(p);
            if (!Files.isWritable(existing)) {
                throw new LocalIoError("cannot write " + existing + (existing.equals(p) ? "" : " to create " + p)
                        + ": permission denied; nothing was written",
                        "run restore as the PostgreSQL OS user, owner of the directory (or of its parent)", null);
            }
        }
        boolean resume = !delta && Files.exists(root.resolve(INCOMPLETE), LinkOption.NOFOLLOW_LINKS)
                && tablespaces.values().stream().allMatch(p -> isEmptyOrAbsent(p)
                        || Files.exists(p.resolve(INCOMPLETE), LinkOption.NOFOLLOW_LINKS));
        if (delta || resume) {
            if (Files.exists(root.resolve("postmaster.pid"))) {
                throw UserError.usage(root + " has a postmaster.pid: the server may be running",
                        "stop it first; --delta rewrites files under a stopped server only");
            }
            return delta ? Mode.DELTA : Mode.RESUME;
        }
        for (Path p : bases()) {
            if (!isEmptyOrAbsent(p)) {
                throw UserError.usage(p + " is not empty; restore writes only into an empty or new directory",
                        "move it aside (never restore over the only copy), or pass --delta to reuse matching files");
            }
        }
        return Mode.FRESH;
    }

    /**
     * Refuses a restore that cannot fit: the files' sizes against the usable space of each file system written to.
     * Only for a restore into empty directories (--delta and a resumed restore reuse files of unknown number).
     */
    void checkSpace(List<BackupManifest.FileEntry> files) {
        Map<Path, Long> needed = new LinkedHashMap<>();
        for (BackupManifest.FileEntry f : files) {
            needed.merge(baseOf(f.path()), f.size(), Long::sum);
        }
        Map<FileStore, Long> perStore = new LinkedHashMap<>();
        Map<FileStore, Path> example = new LinkedHashMap<>();
        for (var e : needed.entrySet()) {
            Path existing = existingAncestor(e.getKey());
            try {
                FileStore store = Files.getFileStore(existing);
                perStore.merge(store, e.getValue(), Long::sum);
                example.putIfAbsent(store, existing);
            } catch (IOException ex) {
                // cannot tell: the writes themselves will say so
            }
        }
        for (var e : perStore.entrySet()) {
            Path at = example.get(e.getKey());
            long free;
            try {
                free = e.getKey().getUsableSpace();
            } catch (IOException ex) {
                continue;
            }
            if (free < e.getValue()) {
                throw new LocalIoError("the backup needs " + String.format("%,d", e.getValue()) + " bytes on the file "
                        + "system of " + at + ", which has " + String.format("%,d", free) + " free; nothing was "
                        + "written", "free space there, or restore elsewhere (--pgdata, --tablespace-map)", null);
            }
        }
    }

    private Path baseOf(String relative) {
        String[] parts = relative.split("/", 3);
        if (parts.length >= 2 && parts[0].equals("pg_tblspc") && tablespaces.containsKey(parts[1])) {
            return tablespaces.get(parts[1]);
        }
        return root;
    }

    private static Path existingAncestor(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? p.getRoot() : existing;
    }

    /**
     * Creates every directory and the pg_tblspc links, each location marked as an incomplete restore before
     * anything is written into it: the data directory first, so that from the first write on, the next restore
     * recognises the directory as its own.
     */
    void createDirectories(List<BackupManifest.Directory> directories, String label) {
        String marker = "walstow restore of backup " + label + " into " + root + " is incomplete until this file is "
                + "gone; run the restore again to resume it\n";
        try {
            createDir(root, "700");
            Files.writeString(root.resolve(INCOMPLETE), marker);
            for (BackupManifest.Directory d : directories) {
                String[] parts = d.path().split("/");
                if (parts.length == 2 && parts[0].equals("pg_tblspc") && tablespaces.containsKey(parts[1])) {
                    Path location = tablespaces.get(parts[1]);
                    createDir(location, d.mode());
                    Files.writeString(location.resolve(INCOMPLETE), marker);
                    Path link = root.resolve(d.path());
                    if (!Files.isSymbolicLink(link) || !Files.readSymbolicLink(link).equals(location)) {
                        Files.deleteIfExists(link);
                        Files.createSymbolicLink(link, location);
                    }
                } else {
                    createDir(resolve(d.path()), d.mode());
                }
            }
            createDir(root.resolve("pg_wal/archive_status"), "700");
        } catch (IOException e) {
            throw new LocalIoError("cannot create directories under " + root + ": " + Failures.describe(e),
                    "check permissions: run restore as the PostgreSQL OS user", e);
        }
    }

    /** The restore is complete: removes the markers, the data directory's last. */
    void clearIncomplete() {
        try {
            for (Path base : bases().reversed()) {
                Files.deleteIfExists(base.resolve(INCOMPLETE));
            }
        } catch (IOException e) {
            throw new LocalIoError("cannot delete " + INCOMPLETE + ": " + Failures.describe(e), "check permissions", e);
        }
        bases().forEach(TargetDirectory::fsync);
    }

    /** --delta: removes what the backup does not have, so no stale file (old WAL, a dropped table) survives. */
    void removeUnlisted(Set<String> files, Set<String> directories) {
        Set<Path> keep = new HashSet<>();
        files.forEach(f -> keep.add(resolve(f)));
        directories.forEach(d -> keep.add(resolve(d)));
        keep.add(root);
        bases().forEach(b -> keep.add(b.resolve(INCOMPLETE)));
        for (Path base : bases()) {
            if (!Files.isDirectory(base)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!keep.contains(p) && !(Files.isSymbolicLink(p) && p.getParent().endsWith("pg_tblspc"))) {
                        Files.delete(p);
                    }
                }
            } catch (IOException e) {
                throw new LocalIoError("cannot clean " + base + " for --delta: " + Failures.describe(e),
                        "check permissions", e);
            }
        }
    }

    static void setMode(Path p, String mode) throws IOException {
        int bits = Integer.parseInt(mode, 8);
        StringBuilder sb = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((bits & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(sb.toString()));
    }

    static void fsync(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new LocalIoError("cannot fsync " + p + ": " + Failures.describe(e), "check the file system", e);
        }
    }

    private static void createDir(Path p, String mode) throws IOException {
        Files.createDirectories(p);
        setMode(p, mode);
    }

    private static boolean isEmptyOrAbsent(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }
}
