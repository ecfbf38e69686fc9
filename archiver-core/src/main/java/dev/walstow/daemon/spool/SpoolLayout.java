package dev.walstow.daemon.spool;

import dev.walstow.agent.spool.SpoolContract;
import dev.walstow.agent.spool.Serving;
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
 * <p>Everything that answers a call lives below {@code repo-ID/}, ID being the repository's identity
 * ({@link dev.walstow.repo.RepositoryIdentity}: its location and binding), and is trusted only through
 * {@code serving} ({@link Serving}): a launcher or agent whose configuration is not the daemon's, or whose daemon
 * is gone or hung, never reads it; a daemon deletes every other {@code repo-*} at start-up.
 *
 * <pre>
 * pg_wal/.walstow/daemon.sock          the daemon's Unix domain socket (0600)
 * pg_wal/.walstow/daemon.lock          fcntl-locked by the running daemon for its whole life
 * pg_wal/.walstow/serving              which daemon serves which repository for which configuration file; its
 *                                      mtime is the heartbeat ({@link Serving})
 * pg_wal/.walstow/agent.properties     hints for agents when no daemon answers (fallback policy)
 * pg_wal/.walstow/daemon.pid           the daemon's pid (for people and older launchers)
 * pg_wal/.walstow/nap.fifo             a FIFO nobody writes; the launcher waits for this daemon only where it exists
 * pg_wal/.walstow/warm-up/             a scratch repository and segment for the start-up warm-up ({@code daemon.WarmUp});
 *                                      deleted when it ends
 * pg_wal/.walstow/s3-conditional-write-HASH
 *                                      whether the S3 store honours If-None-Match, so that an in-process
 *                                      archive-push need not probe it again (ConditionalWriteCache)
 * pg_wal/.walstow/repo-ID/pushed/NAME  written only after NAME is durable in that repository; mtime = the segment's
 * pg_wal/.walstow/repo-ID/failed/NAME  the last error for NAME, reported on the next call
 * pg_wal/.walstow/repo-ID/prefetch/BOOT/NAME
 *                                      a fetched, verified file ready to be renamed to %p; BOOT is the kernel's
 *                                      boot id (see {@link #prefetchDirectory()}); emptied at every start and stop
 * pg_wal/.walstow/repo-ID/pushing/NAME present while a worker uploads NAME (the launcher waits instead of starting
 *                                      a JVM)
 * pg_wal/.walstow/repo-ID/fetching/NAME
 *                                      present while NAME is being fetched into prefetch/ (or for an ask)
 * pg_wal/.walstow/repo-ID/asked/NAME.ID
 *                                      the launcher asks for NAME without a JVM (ID: its pid and a random number);
 *                                      the daemon deletes it once it has answered
 * pg_wal/.walstow/repo-ID/answers/NAME.ID
 *                                      the answer: NAME itself, verified, to be renamed to %p; or an empty
 *                                      NAME.ID.missing (the archive positively has no NAME) or NAME.ID.error
 *                                      (anything else: the launcher asks again through the agent, which reports it)
 * </pre>
 *
 * Every name is {@link SpoolContract}'s, from which the launcher's C header is generated at build time.
 *
 * @param repositoryId the repository whose state this layout addresses; null for a layout of the root only (the
 *     socket, the lock), which is all a daemon has before it has read its repository's binding
 */
public record SpoolLayout(Path dataDirectory, String repositoryId) {
    public static final String RELATIVE_ROOT = SpoolContract.ROOT;

    /** The root-level paths only. */
    public SpoolLayout(Path dataDirectory) {
        this(dataDirectory, null);
    }

    /** This layout, for one repository's state. */
    public SpoolLayout forRepository(String id) {
        return new SpoolLayout(dataDirectory, id);
    }

    public Path root() {
        return dataDirectory.resolve(RELATIVE_ROOT);
    }

    /** {@code repo-ID/}: every piece of state that answers a call, for this layout's repository. */
    public Path stateRoot() {
        if (repositoryId == null) {
            throw new IllegalStateException("no repository: the daemon's state is per repository");
        }
        return root().resolve(Serving.stateDirectory(repositoryId));
    }

    public Path socket() {
        return root().resolve(SpoolContract.SOCKET);
    }

    public Path lockFile() {
        return root().resolve(Serving.LOCK);
    }

    public Path servingFile() {
        return root().resolve(Serving.FILE);
    }

    public Path agentProperties() {
        return root().resolve(SpoolContract.AGENT_PROPERTIES);
    }

    public Path pushedDirectory() {
        return stateRoot().resolve(SpoolContract.PUSHED);
    }

    public Path pushed(String walFileName) {
        return pushedDirectory().resolve(walFileName);
    }

    public Path failedDirectory() {
        return stateRoot().resolve(SpoolContract.FAILED);
    }

    public Path failed(String walFileName) {
        return failedDirectory().resolve(walFileName);
    }

    /** Parent of the per-boot prefetch directories; anything in it but {@link #prefetchDirectory()} is stale. */
    public Path prefetchRoot() {
        return stateRoot().resolve(SpoolContract.PREFETCH);
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
        return stateRoot().resolve(SpoolContract.PUSHING);
    }

    public Path fetchingDirectory() {
        return stateRoot().resolve(SpoolContract.FETCHING);
    }

    public Path askedDirectory() {
        return stateRoot().resolve(SpoolContract.ASKED);
    }

    public Path answersDirectory() {
        return stateRoot().resolve(SpoolContract.ANSWERS);
    }

    public Path pidFile() {
        return root().resolve(SpoolContract.PID_FILE);
    }

    public Path warmUpDirectory() {
        return root().resolve(SpoolContract.WARM_UP);
    }

    public Path napFifo() {
        return root().resolve(SpoolContract.NAP_FIFO);
    }

    public Path pgWal() {
        return dataDirectory.resolve("pg_wal");
    }

    public Path archiveStatus() {
        return pgWal().resolve("archive_status");
    }
}
