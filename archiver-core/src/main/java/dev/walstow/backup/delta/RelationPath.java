package dev.walstow.backup.delta;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relation data file named by its path in a backup ({@code base/5/16384.2}, {@code global/1262},
 * {@code pg_tblspc/16400/PG_15_202209061/5/16390_vm}): the tablespace, database, relation file number, fork and
 * 1 GiB segment it holds, as PostgreSQL's RelFileLocator names them (pg_default is tablespace 1663, pg_global 1664
 * with database 0). Every other file (PG_VERSION, pg_filenode.map, anything outside a database directory) is not a
 * relation file and is always backed up whole.
 */
public record RelationPath(long tablespace, long database, long relation, Fork fork, int segment) {
    static final long DEFAULT_TABLESPACE = 1663;
    static final long GLOBAL_TABLESPACE = 1664;

    private static final Pattern FILE = Pattern.compile("(\\d+)(?:_(fsm|vm|init))?(?:\\.(\\d+))?");
    private static final Pattern BASE = Pattern.compile("base/(\\d+)/([^/]+)");
    private static final Pattern GLOBAL = Pattern.compile("global/([^/]+)");
    private static final Pattern TABLESPACE = Pattern.compile("pg_tblspc/(\\d+)/PG_[^/]+/(\\d+)/([^/]+)");

    /** PostgreSQL's fork numbers: only the main fork's pages carry an LSN walstow may trust for increments. */
    public enum Fork {
        MAIN(0), FSM(1), VM(2), INIT(3);

        private final int number;

        Fork(int number) {
            this.number = number;
        }

        public int number() {
            return number;
        }
    }

    public static Optional<RelationPath> parse(String path) {
        Matcher m = BASE.matcher(path);
        if (m.matches()) {
            return file(DEFAULT_TABLESPACE, Long.parseLong(m.group(1)), m.group(2));
        }
        m = GLOBAL.matcher(path);
        if (m.matches()) {
            return file(GLOBAL_TABLESPACE, 0, m.group(1));
        }
        m = TABLESPACE.matcher(path);
        if (m.matches()) {
            return file(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
        }
        return Optional.empty();
    }

    private static Optional<RelationPath> file(long tablespace, long database, String name) {
        Matcher m = FILE.matcher(name);
        if (!m.matches() || m.group(1).length() > 10 || m.group(3) != null && m.group(3).length() > 6) {
            return Optional.empty();
        }
        Fork fork = m.group(2) == null ? Fork.MAIN : Fork.valueOf(m.group(2).toUpperCase(java.util.Locale.ROOT));
        int segment = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return Optional.of(new RelationPath(tablespace, database, Long.parseLong(m.group(1)), fork, segment));
    }

    /** The relation fork this file is a segment of, as a WAL summary names it. */
    public RelationKey key() {
        return new RelationKey(tablespace, database, relation, fork.number());
    }

    /** A relation fork, as {@code pg_wal_summary_contents()} names it. */
    public record RelationKey(long tablespace, long database, long relation, int fork) {}
}
