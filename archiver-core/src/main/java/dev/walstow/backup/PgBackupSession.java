package dev.walstow.backup;

import dev.walstow.error.RepositoryError;
import dev.walstow.error.UserError;
import dev.walstow.pg.PgConnections;
import dev.walstow.wal.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One SQL session holding a non-exclusive backup open. PostgreSQL ties a non-exclusive backup to its session: if
 * the session ends before {@link #stop()}, the server aborts the backup. So the connection lives from start to
 * stop, and closing it early is the cleanup.
 *
 * <p>PostgreSQL 15 renamed the functions: {@code pg_backup_start/stop}; 13 and 14 have
 * {@code pg_start_backup/pg_stop_backup} with an {@code exclusive} argument (false here).
 */
final class PgBackupSession implements AutoCloseable {

    /** What pg_backup_stop returns: the stop LSN and the two files the restored data directory needs. */
    record Stopped(Lsn stopLsn, String backupLabel, String tablespaceMap, Instant stopTime) {}

    private final Connection connection;
    private final int versionNum;

    private PgBackupSession(Connection connection, int versionNum) {
        this.connection = connection;
        this.versionNum = versionNum;
    }

    static PgBackupSession open(PgConnections connections) {
        Connection c = connections.open("walstow backup");
        try {
            return new PgBackupSession(c, Integer.parseInt(single(c, "SHOW server_version_num")));
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    int versionNum() {
        return versionNum;
    }

    /** The open session, for the WAL summary functions. */
    Connection connection() {
        return connection;
    }

    /** A numeric setting in its base unit (block_size in bytes, segment_size in blocks). */
    int intSetting(String name) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT setting FROM pg_settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Integer.parseInt(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure("reading " + name, e);
        }
    }

    /** The timeline of the latest checkpoint: after {@link #start}, the backup's. */
    dev.walstow.wal.TimelineId checkpointTimeline() {
        return new dev.walstow.wal.TimelineId(Long.parseLong(single(connection,
                "SELECT timeline_id::text FROM pg_control_checkpoint()")));
    }

    /** Whether the cluster has data checksums (fixed at initdb; pg_checksums changes it only while stopped). */
    boolean dataChecksums() {
        return "on".equals(single(connection, "SHOW data_checksums"));
    }

    String dataDirectory() {
        return single(connection, "SHOW data_directory");
    }

    String systemIdentifier() {
        return single(connection, "SELECT system_identifier::text FROM pg_control_system()");
    }

    /** OID to name of every tablespace with a pg_tblspc link (pg_default and pg_global have none). */
    Map<String, String> tablespaceNames() {
        String sql = "SELECT oid::text, spcname FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')";
        Map<String, String> names = new TreeMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                names.put(rs.getString(1), rs.getString(2));
            }
            return names;
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    Instant now() {
        return Instant.parse(single(connection,
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
    }

    /** Starts the backup: a checkpoint, immediate when {@code fast}, else spread like any other. */
    Lsn start(String label, boolean fast) {
        String sql = versionNum >= 150000 ? "SELECT pg_backup_start(?, ?)::text"
                : "SELECT pg_start_backup(?, ?, false)::text";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, label);
            ps.setBoolean(2, fast);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure("starting the backup (" + sql + ")", e);
        }
    }

    /**
     * Stops the backup without waiting for archiving inside PostgreSQL: walstow waits for the WAL in its own
     * repository instead (bounded by {@code [backup] archive-timeout}), which is the check that matters.
     * PostgreSQL still switches to a new segment, so the stop segment becomes archivable at once.
     */
    Stopped stop() {
        String sql = versionNum >= 150000
                ? "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)"
                : "SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, false)";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            Lsn lsn = Lsn.parse(rs.getString(1));
            String label = rs.getString(2);
            String map = rs.getString(3);
            return new Stopped(lsn, label, map == null || map.isEmpty() ? null : map, now());
        } catch (SQLException e) {
            throw failure("stopping the backup (" + sql + ")", e);
        }
    }

    private static String single(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private static RuntimeException failure(String doing, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("42501")) {
            return UserError.config("PostgreSQL refused " + doing + ": " + e.getMessage(),
                    "grant the [postgres] user EXECUTE on the backup functions, or use a superuser "
                            + "(docs/configuration.md, [postgres] user)");
        }
        if (state.equals("55000")) {
            return UserError.config("PostgreSQL cannot take a backup now: " + e.getMessage(),
                    "check wal_level (replica or logical) and that the server is not shutting down");
        }
        return new RepositoryError("SQL failed while " + doing + ": " + e.getMessage(),
                "check the server log; the backup was aborted and left nothing usable", false, e);
    }

    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the server aborts the backup when the session ends, which is what we want on failure
        }
    }
}
