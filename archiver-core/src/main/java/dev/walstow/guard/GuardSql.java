package dev.walstow.guard;

import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.util.Optional;

/**
 * The SQL the RPO guard and {@code walstow check} need, as a port: {@link JdbcGuardSql} talks to PostgreSQL, tests
 * use a fake. Every method may throw a {@link dev.walstow.error.WalstowException} when the server is unreachable.
 */
public interface GuardSql extends AutoCloseable {

    /**
     * Where WAL is being written.
     *
     * @param inRecovery a standby or a server in recovery: it writes no WAL of its own and cannot switch
     * @param lsn the write position ({@code pg_current_wal_lsn()}), empty in recovery
     */
    record Position(boolean inRecovery, Optional<Lsn> lsn, TimelineId timeline, WalSegmentSize segmentSize) {}

    /** The settings that decide whether the RPO can be held, as the server reports them. */
    record Settings(String archiveMode, int archiveTimeoutSeconds, String archiveCommand, String restoreCommand,
            String walLevel, boolean inRecovery, boolean maySwitchWal, long systemIdentifier) {}

    Position position();

    /** {@code pg_switch_wal()}. @return the end of the segment it closed */
    Lsn switchWal();

    /**
     * Makes sure the current segment holds WAL (a commit record), so that a following switch really closes a
     * segment instead of doing nothing on an idle server.
     */
    void writeMarker();

    Settings settings();

    /** The name PostgreSQL gives the segment ending at {@code endOfSegment} ({@code pg_walfile_name}). */
    String walFileName(Lsn endOfSegment);

    /**
     * What PostgreSQL's archiver last did ({@code pg_stat_archiver}): how {@code walstow check} names a failing
     * archive_command at once instead of waiting for its segment.
     *
     * @param lastArchivedWal the last file archive_command succeeded for (a segment, history or backup file)
     * @param lastFailedWal the last file archive_command failed for
     */
    record Archiver(long archivedCount, Optional<String> lastArchivedWal, long failedCount,
            Optional<String> lastFailedWal) {}

    Archiver archiver();

    /** The server's {@code data_directory}, empty if this role may not read it (needs pg_read_all_settings). */
    Optional<java.nio.file.Path> dataDirectory();

    @Override
    void close();
}
