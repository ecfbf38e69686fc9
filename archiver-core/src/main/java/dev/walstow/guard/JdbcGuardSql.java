package dev.walstow.guard;

import dev.walstow.error.RepositoryError;
import dev.walstow.pg.PgConnections;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link GuardSql} over JDBC. One connection, opened lazily and reopened after any failure (a restarted server
 * must not leave the guard with a dead connection). Uses only what a least-privilege role can be granted:
 * {@code pg_read_all_settings} and EXECUTE on {@code pg_switch_wal()}.
 */
public final class JdbcGuardSql implements GuardSql {
    private static final String APPLICATION = "walstow guard";

    private final PgConnections connections;
    private Connection connection;

    public JdbcGuardSql(PgConnections connections) {
        this.connections = connections;
    }

    @Override
    public synchronized Position position() {
        return query("reading the WAL position", s -> {
            try (ResultSet r = s.executeQuery("select pg_is_in_recovery(), case when pg_is_in_recovery() then null "
                    + "else pg_current_wal_lsn()::text end, case when pg_is_in_recovery() then null else "
                    + "pg_walfile_name(pg_current_wal_lsn()) end, (select setting::int from pg_settings where name = "
                    + "'wal_segment_size'), (select timeline_id from pg_control_checkpoint())")) {
                r.next();
                boolean recovery = r.getBoolean(1);
                String lsn = r.getString(2);
                String file = r.getString(3);
                long timeline = file != null ? Long.parseLong(file.substring(0, 8), 16) : r.getLong(5);
                return new Position(recovery, Optional.ofNullable(lsn).map(Lsn::parse), new TimelineId(timeline),
                        new WalSegmentSize(r.getInt(4)));
            }
        });
    }

    @Override
    public synchronized Lsn switchWal() {
        return query("forcing a segment switch", s -> {
            try (ResultSet r = s.executeQuery("select pg_switch_wal()::text")) {
                r.next();
                return Lsn.parse(r.getString(1));
            }
        });
    }

    @Override
    public synchronized void writeMarker() {
        query("writing a commit record", s -> {
            // Assigning a transaction id makes the commit write WAL, with no table and no privilege needed.
            try (ResultSet r = s.executeQuery("select pg_current_xact_id()")) {
                r.next();
                return null;
            }
        });
    }

    @Override
    public synchronized Settings settings() {
        return query("reading settings", s -> {
            Map<String, String> v = new HashMap<>();
            try (ResultSet r = s.executeQuery("select name, setting from pg_settings where name in ('archive_mode', "
                    + "'archive_timeout', 'archive_command', 'restore_command', 'wal_level')")) {
                while (r.next()) {
                    v.put(r.getString(1), r.getString(2));
                }
            }
            try (ResultSet r = s.executeQuery("select pg_is_in_recovery(), has_function_privilege("
                    + "'pg_switch_wal()', 'EXECUTE'), (select system_identifier from pg_control_system())")) {
                r.next();
                return new Settings(v.getOrDefault("archive_mode", "?"),
                        Integer.parseInt(v.getOrDefault("archive_timeout", "0")),
                        v.getOrDefault("archive_command", ""), v.getOrDefault("restore_command", ""),
                        v.getOrDefault("wal_level", "?"), r.getBoolean(1), r.getBoolean(2), r.getLong(3));
            }
        });
    }

    @Override
    public synchronized String walFileName(Lsn endOfSegment) {
        return query("naming a segment", s -> {
            try (ResultSet r = s.executeQuery("select pg_walfile_name('" + endOfSegment + "'::pg_lsn)")) {
                r.next();
                return r.getString(1);
            }
        });
    }

    @Override
    public synchronized Archiver archiver() {
        return query("reading pg_stat_archiver", s -> {
            try (ResultSet r = s.executeQuery("select archived_count, last_archived_wal, failed_count, "
                    + "last_failed_wal from pg_stat_archiver")) {
                r.next();
                return new Archiver(r.getLong(1), Optional.ofNullable(r.getString(2)), r.getLong(3),
                        Optional.ofNullable(r.getString(4)));
            }
        });
    }

    @Override
    public synchronized Optional<java.nio.file.Path> dataDirectory() {
        return query("reading data_directory", s -> {
            try (ResultSet r = s.executeQuery("select setting from pg_settings where name = 'data_directory'")) {
                return r.next() ? Optional.of(java.nio.file.Path.of(r.getString(1))) : Optional.empty();
            }
        });
    }

    @Override
    public synchronized void close() {
        drop();
    }

    private interface Body<T> {
        T run(Statement s) throws SQLException;
    }

    private <T> T query(String what, Body<T> body) {
        if (connection == null) {
            connection = connections.open(APPLICATION);
        }
        try (Statement s = connection.createStatement()) {
            return body.run(s);
        } catch (SQLException e) {
            drop();
            throw new RepositoryError("PostgreSQL at " + connections.describe() + ": " + what + " failed: "
                    + e.getMessage(), privilegeHint(e), true, e);
        }
    }

    private static String privilegeHint(SQLException e) {
        return "42501".equals(e.getSQLState())
                ? "grant the role pg_read_all_settings and EXECUTE on pg_switch_wal() (docs/configuration.md, [guard])"
                : "check that the server runs and [postgres] points at it";
    }

    private void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
            connection = null;
        }
    }
}
