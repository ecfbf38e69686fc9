package dev.walstow.it;

import dev.walstow.pg.UnixDomainSocketFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests, run as the postgres OS user, listening only on a Unix socket in its own
 * directory (no TCP, so parallel test runs cannot collide on ports). SQL goes through psql where the binaries have
 * it (Debian's 15), else through JDBC over the same socket, with psql's unaligned output format either way.
 */
final class PgCluster implements AutoCloseable {
    static final Path BIN = PgBinaries.DEBIAN_15.bin();
    private static final AtomicInteger PORTS = new AtomicInteger(25432 + (int) (ProcessHandle.current().pid() % 1000) * 10);

    final PgBinaries binaries;
    final Path data;
    final Path socketDir;
    final int port;
    private final Map<String, String> env;
    private boolean running;

    private PgCluster(PgBinaries binaries, Path data, Path socketDir, int port, Map<String, String> env) {
        this.binaries = binaries;
        this.data = data;
        this.socketDir = socketDir;
        this.port = port;
        this.env = env;
    }

    static boolean available() {
        return PgBinaries.DEBIAN_15.available();
    }

    /** initdb into {@code data} (created, owned by postgres). */
    static PgCluster initdb(Path data, Map<String, String> env, String... initdbArgs) {
        return initdb(PgBinaries.DEBIAN_15, data, env, initdbArgs);
    }

    static PgCluster initdb(PgBinaries binaries, Path data, Map<String, String> env, String... initdbArgs) {
        PgCluster c = at(binaries, data, env);
        TestDirs.createOwned(data);
        List<String> cmd = new java.util.ArrayList<>(List.of(binaries.tool("initdb").toString(), "-D", data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"));
        cmd.addAll(List.of(initdbArgs));
        Proc.asPostgres(null, env, 120, cmd.toArray(String[]::new)).ok();
        return c;
    }

    /** A cluster whose data directory already exists (e.g. a restored base backup). */
    static PgCluster at(Path data, Map<String, String> env) {
        return at(PgBinaries.DEBIAN_15, data, env);
    }

    static PgCluster at(PgBinaries binaries, Path data, Map<String, String> env) {
        Path socketDir = data.resolveSibling(data.getFileName() + ".sock");
        TestDirs.createOwned(socketDir);
        return new PgCluster(binaries, data, socketDir, PORTS.getAndIncrement(), env);
    }

    /** Appends settings to postgresql.conf (later lines win). */
    void configure(String... lines) {
        StringBuilder sb = new StringBuilder("\n# walstow test\n");
        sb.append("port = ").append(port).append('\n');
        sb.append("listen_addresses = ''\n");
        sb.append("unix_socket_directories = '").append(socketDir).append("'\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        try {
            Files.writeString(data.resolve("postgresql.conf"), sb.toString(), java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        Proc p = Proc.asPostgres(null, env, 180, binaries.tool("pg_ctl").toString(), "-D", data.toString(), "-w", "-t",
                "170", "-l", socketDir.resolve("server.log").toString(), "start");
        if (p.exit() != 0) {
            throw new AssertionError("pg_ctl start failed: " + p + "\n--- server log ---\n" + log());
        }
        running = true;
    }

    void stop() {
        if (running) {
            Proc.asPostgres(null, env, 120, binaries.tool("pg_ctl").toString(), "-D", data.toString(), "-w", "-t",
                    "110", "-m", "fast", "stop");
            running = false;
        }
    }

    /** Runs SQL; returns unaligned, tuples-only output (psql -At: rows on lines, columns joined by |), trimmed. */
    String sql(String sql) {
        if (!binaries.hasPsql()) {
            return jdbc(sql);
        }
        return Proc.asPostgres(null, env, 300, binaries.tool("psql").toString(), "-X", "-v", "ON_ERROR_STOP=1",
                "-h", socketDir.toString(), "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres", "-Atq",
                "-c", sql).ok().out().trim();
    }

    /** As {@link #sql}, in database {@code database} (psql only). */
    String sqlIn(String database, String sql) {
        return Proc.asPostgres(null, env, 300, binaries.tool("psql").toString(), "-X", "-v", "ON_ERROR_STOP=1",
                "-h", socketDir.toString(), "-p", String.valueOf(port), "-U", "postgres", "-d", database, "-Atq",
                "-c", sql).ok().out().trim();
    }

    /**
     * A JDBC connection over the server's Unix socket (trust authentication, so the root test JVM may log in as
     * postgres), with a statement timeout so that no test hangs on SQL.
     */
    Connection connect() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("socketFactory", UnixDomainSocketFactory.class.getName());
        p.setProperty("socketFactoryArg", socketDir.resolve(".s.PGSQL." + port).toString());
        p.setProperty("connectTimeout", "10");
        p.setProperty("options", "-c statement_timeout=300000");
        try {
            return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", p);
        } catch (SQLException e) {
            throw new AssertionError("cannot connect to " + socketDir + " port " + port + ": " + e, e);
        }
    }

    /** Runs one statement in autocommit mode (a DO block may COMMIT) and formats its rows as psql -At would. */
    private String jdbc(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            StringBuilder out = new StringBuilder();
            if (st.execute(sql)) {
                try (ResultSet rs = st.getResultSet()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            out.append(i > 1 ? "|" : "").append(text(rs, i));
                        }
                        out.append('\n');
                    }
                }
            }
            return out.toString().trim();
        } catch (SQLException e) {
            throw new AssertionError("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** psql prints booleans as t/f and NULL as nothing. */
    private static String text(ResultSet rs, int column) throws SQLException {
        int type = rs.getMetaData().getColumnType(column);
        if (type == Types.BOOLEAN || type == Types.BIT) {
            boolean b = rs.getBoolean(column);
            return rs.wasNull() ? "" : b ? "t" : "f";
        }
        String v = rs.getString(column);
        return v == null ? "" : v;
    }

    /**
     * A base backup of this (running) cluster into {@code dir} with Debian's pg_basebackup, {@code -X none}: the
     * WAL it needs must come from the archive, which is what these tests exercise.
     */
    void baseBackup(Path dir) {
        TestDirs.createOwned(dir);
        Proc.asPostgres(null, env, 300, BIN.resolve("pg_basebackup").toString(), "-h", socketDir.toString(),
                "-p", String.valueOf(port), "-U", "postgres", "-D", dir.toString(), "-X", "none", "-c", "fast").ok();
    }

    String log() {
        try {
            return Files.readString(socketDir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Polls {@code sql} until it returns {@code expected}, or fails with the server log after {@code limit}. */
    void awaitSql(String sql, String expected, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = sql(sql);
                if (expected.equals(last)) {
                    return;
                }
            } catch (AssertionError e) {
                last = e.getMessage();
            }
            sleep(200);
        }
        throw new AssertionError("waited " + limit + " for [" + sql + "] = " + expected + ", last: " + last
                + "\n--- server log ---\n" + log());
    }

    /** Forces a segment switch and waits until PostgreSQL's archiver reports that segment archived. */
    String switchAndAwaitArchived(Duration limit) {
        String segment = sql("SELECT pg_walfile_name(pg_switch_wal())");
        awaitSql("SELECT coalesce(last_archived_wal >= '" + segment + "', false) FROM pg_stat_archiver", "t", limit);
        return segment;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
