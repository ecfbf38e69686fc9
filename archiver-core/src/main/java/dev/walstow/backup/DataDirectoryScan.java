package dev.walstow.backup;

import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What of a data directory goes into a base backup: the same selection as pg_basebackup (src/backend/backup/
 * basebackup.c): the contents of directories PostgreSQL recreates or resets at start (pg_wal, pg_replslot,
 * pg_stat_tmp, ...) are left out but the directories kept; files of a running or crashed server (postmaster.pid,
 * an old backup_label) are left out; unlogged relations are left out except their init fork, from which recovery
 * rebuilds them. Tablespaces (symbolic links in pg_tblspc) are followed and recorded as {@code pg_tblspc/OID/...}.
 *
 * <p>Files that vanish while scanning are skipped: PostgreSQL drops relations during a backup, and WAL replay
 * recreates whatever the backup missed.
 */
public final class DataDirectoryScan {
    private static final Set<String> CONTENTS_EXCLUDED = Set.of("pg_wal", "pg_dynshmem", "pg_notify", "pg_replslot",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final Set<String> FILES_EXCLUDED = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "tablespace_map", "backup_manifest", "current_logfiles", "postgresql.auto.conf.tmp", "pg_internal.init",
            "recovery.signal", "standby.signal");

    /** @param size size when scanned; the backup records the bytes it actually reads */
    public record LocalFile(String path, Path source, long size, String mode) {}

    public record Result(List<BackupManifest.Directory> directories, List<LocalFile> files,
            Map<String, String> tablespaces) {
        public long totalBytes() {
            return files.stream().mapToLong(LocalFile::size).sum();
        }
    }

    private final List<BackupManifest.Directory> directories = new ArrayList<>();
    private final List<LocalFile> files = new ArrayList<>();
    private final Map<String, String> tablespaces = new TreeMap<>();

    private DataDirectoryScan() {}

    public static Result scan(Path dataDirectory) {
        DataDirectoryScan scan = new DataDirectoryScan();
        try {
            scan.walk(dataDirectory, "", 0);
        } catch (IOException e) {
            throw new LocalIoError("cannot read the data directory " + dataDirectory + ": " + Failures.describe(e),
                    "run walstow backup as the PostgreSQL OS user on the database host", e);
        }
        return new Result(List.copyOf(scan.directories), List.copyOf(scan.files), Map.copyOf(scan.tablespaces));
    }

    private void walk(Path dir, String relative, int depth) throws IOException {
        if (depth > 64) {
            throw new IOException(dir + ": directories nested deeper than 64 levels");
        }
        Map<String, Path> entries = new LinkedHashMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                entries.put(p.getFileName().toString(), p);
            }
        } catch (NoSuchFileException e) {
            return;
        }
        Set<String> unlogged = unloggedRelations(entries.keySet());
        for (var entry : new TreeMap<>(entries).entrySet()) {
            String name = entry.getKey();
            Path path = entry.getValue();
            String rel = relative.isEmpty() ? name : relative + "/" + name;
            PosixFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (attrs.isSymbolicLink() && relative.equals("pg_tblspc")) {
                Path target = path.toRealPath();
                tablespaces.put(name, Files.readSymbolicLink(path).toString());
                directories.add(new BackupManifest.Directory(rel, mode(Files.readAttributes(target,
                        PosixFileAttributes.class).permissions())));
                walk(target, rel, depth + 1);
            } else if (attrs.isDirectory()) {
                directories.add(new BackupManifest.Directory(rel, mode(attrs.permissions())));
                if (!(depth == 0 && CONTENTS_EXCLUDED.contains(name)) && !name.startsWith("pgsql_tmp")) {
                    walk(path, rel, depth + 1);
                }
            } else if (attrs.isRegularFile() && !excluded(name, depth, unlogged)) {
                files.add(new LocalFile(rel, path, attrs.size(), mode(attrs.permissions())));
            }
        }
    }

    private static boolean excluded(String name, int depth, Set<String> unlogged) {
        if (FILES_EXCLUDED.contains(name) && (depth == 0 || name.equals("pg_internal.init"))) {
            return true;
        }
        if (name.startsWith("pgsql_tmp")) {
            return true;
        }
        return !name.endsWith("_init") && unlogged.contains(relationOf(name));
    }

    /** Relations with an init fork ({@code 16384_init}) are unlogged: only the init fork is backed up. */
    private static Set<String> unloggedRelations(Set<String> names) {
        Set<String> result = new HashSet<>();
        for (String n : names) {
            if (n.endsWith("_init") && Character.isDigit(n.charAt(0))) {
                result.add(n.substring(0, n.length() - "_init".length()));
            }
        }
        return result;
    }

    /** {@code 16384}, {@code 16384.1}, {@code 16384_fsm} all belong to relation file node 16384. */
    private static String relationOf(String name) {
        int end = 0;
        while (end < name.length() && Character.isDigit(name.charAt(end))) {
            end++;
        }
        return end == 0 ? "" : name.substring(0, end);
    }

    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) {
            bits |= 1 << (8 - p.ordinal());
        }
        return Integer.toOctalString(bits);
    }
}
