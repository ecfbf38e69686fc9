package dev.walstow.restore;

import dev.walstow.backup.BackupManifest;
import dev.walstow.error.UserError;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where each tablespace of a backup is restored: {@code --tablespace-map NAME=DIR} or {@code OID=DIR} for one,
 * {@code --tablespace-map-all DIR} for every other one (at {@code DIR/NAME}), and the location it had at backup
 * time for the rest.
 *
 * @param byKey tablespace name or OID to its new location, as given
 * @param all the directory under which every tablespace not in {@code byKey} goes, if any
 */
public record TablespaceMapping(Map<String, Path> byKey, Optional<Path> all) {

    public static final TablespaceMapping NONE = new TablespaceMapping(Map.of(), Optional.empty());

    public TablespaceMapping {
        byKey = Map.copyOf(byKey);
        all.ifPresent(dir -> absolute("--tablespace-map-all", dir));
        byKey.forEach((key, dir) -> absolute("--tablespace-map " + key, dir));
    }

    /** Reads {@code --tablespace-map} arguments ({@code NAME=DIR} or {@code OID=DIR}, one per tablespace). */
    public static TablespaceMapping parse(Iterable<String> maps, Optional<Path> all) {
        Map<String, Path> byKey = new LinkedHashMap<>();
        for (String m : maps) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw UserError.usage("--tablespace-map '" + m + "' is not NAME=DIR or OID=DIR",
                        "pass e.g. --tablespace-map ts_fast=/srv/pg/ts_fast (repeat the option for each tablespace)");
            }
            String key = m.substring(0, eq);
            Path dir;
            try {
                dir = Path.of(m.substring(eq + 1));
            } catch (InvalidPathException e) {
                throw UserError.usage("--tablespace-map '" + m + "': " + e.getMessage(), "pass an absolute path");
            }
            if (byKey.put(key, dir) != null) {
                throw UserError.usage("--tablespace-map names " + key + " twice", "pass one location per tablespace");
            }
        }
        return new TablespaceMapping(byKey, all);
    }

    /**
     * OID to location for each tablespace of {@code backup}, restored into {@code root}. A relative location recorded
     * at backup time is read, like the link it came from, relative to {@code root/pg_tblspc}.
     */
    public Map<String, Path> locations(BackupManifest backup, Path root) {
        Map<String, String> names = backup.tablespaceNames() == null ? Map.of() : backup.tablespaceNames();
        Map<String, String> oidOfName = new HashMap<>();
        names.forEach((oid, name) -> oidOfName.put(name, oid));
        Map<String, Path> mapped = new HashMap<>();
        for (var e : byKey.entrySet()) {
            String oid = backup.tablespaces().containsKey(e.getKey()) ? e.getKey() : oidOfName.get(e.getKey());
            if (oid == null) {
                throw UserError.usage("--tablespace-map " + e.getKey() + ": backup " + backup.label()
                        + " has no tablespace of that name or OID (it has " + describe(backup) + ")",
                        names.isEmpty() && !backup.tablespaces().isEmpty()
                                ? "this backup records no tablespace names (taken by an older walstow): map by OID"
                                : "map a tablespace the backup has");
            }
            if (mapped.put(oid, e.getValue().normalize()) != null) {
                throw UserError.usage("--tablespace-map maps tablespace " + oid + " twice (by name and by OID)",
                        "pass one location per tablespace");
            }
        }
        Map<String, Path> result = new TreeMap<>();
        Path links = root.toAbsolutePath().normalize().resolve("pg_tblspc");
        for (var e : backup.tablespaces().entrySet()) {
            String oid = e.getKey();
            Path location = mapped.get(oid);
            if (location == null && all.isPresent()) {
                location = all.get().resolve(names.getOrDefault(oid, oid)).normalize();
            }
            result.put(oid, location != null ? location : links.resolve(e.getValue()).normalize());
        }
        checkDistinct(result, root.toAbsolutePath().normalize());
        return result;
    }

    /** tablespace_map as PostgreSQL writes it: {@code OID PATH} per line, a line break in a path escaped. */
    static String tablespaceMapFile(Map<String, Path> locations) {
        StringBuilder sb = new StringBuilder();
        locations.forEach((oid, path) -> sb.append(oid).append(' ').append(path.toString()
                .replace("\n", "\\\n").replace("\r", "\\\r")).append('\n'));
        return sb.toString();
    }

    /** Two tablespaces in one directory, or one inside the data directory, would overwrite each other's files. */
    private static void checkDistinct(Map<String, Path> locations, Path root) {
        Map<Path, String> seen = new HashMap<>();
        for (var e : locations.entrySet()) {
            Path p = e.getValue();
            if (p.toString().contains("\\")) {
                throw UserError.usage("tablespace " + e.getKey() + " would go to " + p + ", a path with a backslash, "
                        + "which tablespace_map cannot carry across PostgreSQL versions",
                        "choose another directory with --tablespace-map " + e.getKey() + "=DIR");
            }
            if (p.startsWith(root) || root.startsWith(p)) {
                throw UserError.usage("tablespace " + e.getKey() + " would go to " + p + ", which overlaps the data "
                        + "directory " + root, "choose a directory outside it with --tablespace-map "
                        + e.getKey() + "=DIR");
            }
            for (var other : seen.entrySet()) {
                if (p.startsWith(other.getKey()) || other.getKey().startsWith(p)) {
                    throw UserError.usage("tablespaces " + other.getValue() + " and " + e.getKey() + " would go to "
                            + other.getKey() + " and " + p + ", one inside the other",
                            "give each its own directory with --tablespace-map");
                }
            }
            seen.put(p, e.getKey());
        }
    }

    private static String describe(BackupManifest backup) {
        if (backup.tablespaces().isEmpty()) {
            return "none";
        }
        Map<String, String> names = backup.tablespaceNames() == null ? Map.of() : backup.tablespaceNames();
        StringBuilder sb = new StringBuilder();
        backup.tablespaces().keySet().stream().sorted().forEach(oid -> sb.append(sb.isEmpty() ? "" : ", ")
                .append(names.containsKey(oid) ? names.get(oid) + " = OID " + oid : "OID " + oid));
        return sb.toString();
    }

    private static void absolute(String option, Path dir) {
        if (!dir.isAbsolute()) {
            throw UserError.usage(option + ": " + dir + " is not an absolute path",
                    "PostgreSQL keeps tablespaces at absolute paths: pass one");
        }
    }
}
