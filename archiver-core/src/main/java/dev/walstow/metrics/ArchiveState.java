package dev.walstow.metrics;

/**
 * What the RPO guard found on its last tick: the .ready backlog and the RPO exposure. Immutable; the metrics
 * gauges and {@code /status} read the latest one.
 *
 * @param backlogSegments WAL files marked .ready
 * @param backlogBytes their size
 * @param oldestUnarchived the oldest of them, or null
 * @param oldestUnarchivedAgeSeconds its age by mtime, 0 when there is none
 * @param exposureSeconds seconds of committed WAL not yet durable in the repository
 * @param rpoSeconds the configured RPO
 * @param guardConnected whether the guard's last SQL call succeeded
 * @param walPosition current WAL write position in bytes (0 when unknown)
 * @param walBytesPerSecond WAL rate over the last minute (0 when unknown)
 * @param guardNote why the guard is not connected or what it last did, for people
 */
public record ArchiveState(int backlogSegments, long backlogBytes, String oldestUnarchived,
        double oldestUnarchivedAgeSeconds, double exposureSeconds, double rpoSeconds, boolean guardConnected,
        long walPosition, double walBytesPerSecond, String guardNote) {

    public static final ArchiveState UNKNOWN = new ArchiveState(0, 0, null, 0, 0, 0, false, 0, 0, "not started");

    public boolean breached() {
        return exposureSeconds > rpoSeconds;
    }
}
