package dev.walstow.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A base backup without pg_basebackup (zonky's builds have none): PostgreSQL's non-exclusive low-level API in one
 * JDBC session around a copy of the data directory. The function names changed in 15
 * ({@code pg_start_backup}/{@code pg_stop_backup} became {@code pg_backup_start}/{@code pg_backup_stop}), so the
 * server's own version picks them, not the test's idea of it.
 */
final class LowLevelBackup {
    /** Not part of a backup (PostgreSQL's documentation of the low-level API); pg_wal comes from the archive. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts");
    private static final Set<String> EMPTIED_DIRS = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");

    private LowLevelBackup() {}

    /** Copies {@code cluster}'s data directory to {@code target} as a base backup restorable from the archive. */
    static void take(PgCluster cluster, Path target) {
        try (Connection c = cluster.connect(); Statement st = c.createStatement()) {
            boolean renamed = serverVersionNum(st) >= 150000;
            st.execute(renamed ? "SELECT pg_backup_start('walstow-it', true)"
                    : "SELECT pg_start_backup('walstow-it', true, false)");
            copy(cluster.data, target);
            // wait_for_archive = true: returns once the WAL the backup needs is archived, i.e. in walstow's repository.
            String stop = renamed ? "SELECT labelfile, spcmapfile FROM pg_backup_stop(true)"
                    : "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, true)";
            try (ResultSet rs = st.executeQuery(stop)) {
                if (!rs.next()) {
                    throw new AssertionError("the backup stop function returned no row");
                }
                Files.writeString(target.resolve("backup_label"), rs.getString(1));
                String spcmap = rs.getString(2);
                if (spcmap != null && !spcmap.isEmpty()) {
                    Files.writeString(target.resolve("tablespace_map"), spcmap);
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("low-level backup failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestDirs.chownPostgres(target);
    }

    private static int serverVersionNum(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    /** The server runs while we copy: files that vanish meanwhile (temporary files) are simply not in the copy. */
    private static void copy(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
                if (!dir.equals(source) && EMPTIED_DIRS.contains(source.relativize(dir).toString())) {
                    if (dir.getFileName().toString().equals("pg_wal")) {
                        Files.createDirectories(to.resolve("archive_status"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!SKIPPED_FILES.contains(source.relativize(file).toString())) {
                    try {
                        Files.copy(file, target.resolve(source.relativize(file).toString()),
                                StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException vanished) {
                        // removed by the server after the directory was listed
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }
}
