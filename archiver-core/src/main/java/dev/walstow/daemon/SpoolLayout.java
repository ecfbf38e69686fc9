package dev.walstow.daemon;

import java.nio.file.Path;

/**
 * Where the daemon keeps its state for one cluster: {@code pg_wal/.walstow/} inside the data directory.
 *
 * <p>Why there: PostgreSQL runs archive/restore commands with the data directory as working directory, so the agent
 * and the launcher find the socket and status files from a relative path with no configuration at all; pg_wal is
 * mode 0700, so only the PostgreSQL OS user can enter (status files cannot be forged by others); prefetched files
 * are on the same filesystem as pg_wal, so handing one over is an atomic rename. PostgreSQL ignores entries in
 * pg_wal that are not WAL names, and pg_basebackup does not copy them (WAL-G keeps its prefetch in pg_wal/.wal-g
 * for the same reasons).
 *
 * <pre>
 * pg_wal/.walstow/daemon.sock          the daemon's Unix domain socket (0600)
 * pg_wal/.walstow/agent.properties     hints for agents when no daemon answers (fallback policy)
 * pg_wal/.walstow/pushed/NAME          written only after NAME is durable in the repository; mtime = the segment's
 * pg_wal/.walstow/failed/NAME          the last error for NAME, reported on the next call
 * pg_wal/.walstow/prefetch/BOOT/NAME   a fetched, verified file ready to be renamed to %p; BOOT is the kernel's
 *                                      boot id (see {@link #prefetchDirectory()})
 * pg_wal/.walstow/pushing/NAME         present while a worker uploads NAME (the launcher waits instead of starting
 *                                      a JVM)
 * pg_wal/.walstow/fetching/NAME        present while NAME is being fetched into prefetch/ (or for an ask)
 * pg_wal/.walstow/asked/NAME.ID         the launcher asks for NAME without a JVM (ID: its pid and a random
 *                                      number); the daemon deletes it once it has answered
 * pg_wal/.walstow/answers/NAME.ID       the answer: NAME itself, verified, to be renamed to %p; or an empty
 *                                      NAME.ID.missing (the archive positively has no NAME) or NAME.ID.error
 *                                      (anything else: the launcher asks again through the agent, which reports it)
 * pg_wal/.walstow/daemon.pid           the daemon's pid: the launcher waits only while that process lives
 * pg_wal/.walstow/warm-up/            a scratch repository and segment for the start-up warm-up ({@link WarmUp});
 *                                      deleted when it ends
 * pg_wal/.walstow/nap.fifo             a FIFO nobody writes; the launcher waits for this daemon only where it exists
 *                                      (launchers before the native one napped on it with bash's read -t)
 * pg_wal/.walstow/s3-conditional-write-HASH
 *                                      whether the S3 store honours If-None-Match, so that an in-process
 *                                      archive-push need not probe it again (ConditionalWriteCache)
 * </pre>
 *
 * The relative forms (from the data directory) are what the launcher uses; keep them in sync with
 * packaging/src/main/c/walstow.c.
 */
public record SpoolLayout(Path dataDirectory) {
    public static final String RELATIVE_ROOT = "pg_wal/.walstow";

    public Path root() {
        return dataDirectory.resolve(RELATIVE_ROOT);
    }

    public Path socket() {
        return root().resolve("daemon.sock");
    }

    public Path agentProperties() {
        return root().resolve("agent.properties");
    }

    public Path pushedDirectory() {
        return root().resolve("pushed");
    }

    public Path pushed(String walFileName) {
        return pushedDirectory().resolve(walFileName);
    }

    public Path failedDirectory() {
        return root().resolve("failed");
    }

    public Path failed(String walFileName) {
        return failedDirectory().resolve(walFileName);
    }

    /** Parent of the per-boot prefetch directories; anything in it but {@link #prefetchDirectory()} is stale. */
    public Path prefetchRoot() {
        return root().resolve("prefetch");
    }

    /**
     * {@code prefetch/<boot id>/}. Prefetched files are not fsync'd (fsync of every 16 MiB segment made restore
     * disk-bound at ~3x cp): the page cache is coherent, so they are sound for as long as the kernel that wrote
     * them runs. After a crash of the OS they may hold zeros where pages never reached the disk, and recovery must
     * never be handed such a file; a new boot has a new id, so neither the launcher nor the daemon looks there
     * again (the daemon deletes it at start-up). Where the boot id cannot be read, a per-process random id keeps
     * the daemon correct and the launcher (which finds no such directory) takes the slow path.
     */
    public Path prefetchDirectory() {
        return prefetchRoot().resolve(BootId.CURRENT);
    }

    public Path prefetched(String walFileName) {
        return prefetchDirectory().resolve(walFileName);
    }

    public Path pushingDirectory() {
        return root().resolve("pushing");
    }

    public Path fetchingDirectory() {
        return root().resolve("fetching");
    }

    public Path askedDirectory() {
        return root().resolve("asked");
    }

    public Path answersDirectory() {
        return root().resolve("answers");
    }

    public Path pidFile() {
        return root().resolve("daemon.pid");
    }

    public Path warmUpDirectory() {
        return root().resolve("warm-up");
    }

    public Path napFifo() {
        return root().resolve("nap.fifo");
    }

    public Path pgWal() {
        return dataDirectory.resolve("pg_wal");
    }

    public Path archiveStatus() {
        return pgWal().resolve("archive_status");
    }
}
