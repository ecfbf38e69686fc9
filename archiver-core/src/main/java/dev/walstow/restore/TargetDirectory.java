package dev.walstow.restore;

import dev.walstow.agent.Failures;
import dev.walstow.backup.BackupManifest;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data directory a restore writes, and the tablespace directories beside it. Paths in a manifest are relative
 * to the data directory; {@code pg_tblspc/OID/...} maps to the tablespace's location at backup time, reached
 * through the symbolic link PostgreSQL expects in pg_tblspc.
 */
final class TargetDirectory {
    private final Path root;
    private final Map<String, String> tablespaces;

    TargetDirectory(Path root, Map<String, String> tablespaces) {
        this.root = root.toAbsolutePath().normalize();
        this.tablespaces = tablespaces;
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
            base = Path.of(tablespaces.get(parts[1]));
            rest = parts.length == 3 ? parts[2] : "";
        }
        Path p = rest.isEmpty() ? base : base.resolve(rest).normalize();
        if (!p.startsWith(base)) {
            throw UserError.usage("manifest path " + relative + " leaves its directory", "run walstow verify");
        }
        return p;
    }

    /** The checks made before anything is written. */
    void checkUsable(boolean delta) {
        if (delta) {
            if (Files.exists(root.resolve("postmaster.pid"))) {
                throw UserError.usage(root + " has a postmaster.pid: the server may be running",
                        "stop it first; --delta rewrites files under a stopped server only");
            }
            return;
        }
        for (Path p : Stream.concat(Stream.of(root), tablespaces.values().stream().map(Path::of)).toList()) {
            if (!isEmptyOrAbsent(p)) {
                throw UserError.usage(p + " is not empty; restore writes only into an empty or new directory",
                        "move it aside (never restore over the only copy), or pass --delta to reuse matching files");
            }
        }
    }

    /** Creates every directory and the pg_tblspc links. */
    void createDirectories(List<BackupManifest.Directory> directories) {
        try {
            createDir(root, "700");
            for (BackupManifest.Directory d : directories) {
                String[] parts = d.path().split("/");
                if (parts.length == 2 && parts[0].equals("pg_tblspc") && tablespaces.containsKey(parts[1])) {
                    Path location = Path.of(tablespaces.get(parts[1]));
                    createDir(location, d.mode());
                    Path link = root.resolve(d.path());
                    if (!Files.isSymbolicLink(link)) {
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

    /** --delta: removes what the backup does not have, so no stale file (old WAL, a dropped table) survives. */
    void removeUnlisted(Set<String> files, Set<String> directories) {
        Set<Path> keep = new HashSet<>();
        files.forEach(f -> keep.add(resolve(f)));
        directories.forEach(d -> keep.add(resolve(d)));
        keep.add(root);
        for (Path base : Stream.concat(Stream.of(root), tablespaces.values().stream().map(Path::of)).toList()) {
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
