package dev.walstow.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests, run as the postgres OS user, listening only on a Unix socket in its own
 * directory (no TCP, so parallel test runs cannot collide on ports).
 */
final class PgCluster implements AutoCloseable {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final AtomicInteger PORTS = new AtomicInteger(25432 + (int) (ProcessHandle.current().pid() % 1000) * 10);

    final Path data;
    final Path socketDir;
    final int port;
    private final Map<String, String> env;
    private boolean running;

    private PgCluster(Path data, Path socketDir, int port, Map<String, String> env) {
        this.data = data;
        this.socketDir = socketDir;
        this.port = port;
        this.env = env;
    }

    static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb"));
    }

    /** initdb into {@code data} (created, owned by postgres). */
    static PgCluster initdb(Path data, Map<String, String> env, String... initdbArgs) {
        PgCluster c = at(data, env);
        TestDirs.createOwned(data);
        List<String> cmd = new java.util.ArrayList<>(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"));
        cmd.addAll(List.of(initdbArgs));
        Proc.asPostgres(null, env, 120, cmd.toArray(String[]::new)).ok();
        return c;
    }

    /** A cluster whose data directory already exists (e.g. a restored base backup). */
    static PgCluster at(Path data, Map<String, String> env) {
        Path socketDir = data.resolveSibling(data.getFileName() + ".sock");
        TestDirs.createOwned(socketDir);
        return new PgCluster(data, socketDir, PORTS.getAndIncrement(), env);
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
        Proc p = Proc.asPostgres(null, env, 180, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t",
                "170", "-l", socketDir.resolve("server.log").toString(), "start");
        if (p.exit() != 0) {
            throw new AssertionError("pg_ctl start failed: " + p + "\n--- server log ---\n" + log());
        }
        running = true;
    }

    void stop() {
        if (running) {
            Proc.asPostgres(null, env, 120, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t",
                    "110", "-m", "fast", "stop");
            running = false;
        }
    }

    /** Runs SQL with psql; returns unaligned, tuples-only output, trimmed. */
    String sql(String sql) {
        return Proc.asPostgres(null, env, 300, BIN.resolve("psql").toString(), "-X", "-v", "ON_ERROR_STOP=1",
                "-h", socketDir.toString(), "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres", "-Atq",
                "-c", sql).ok().out().trim();
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
