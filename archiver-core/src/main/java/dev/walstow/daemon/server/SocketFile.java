package dev.walstow.daemon.server;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-system side of the daemon's socket: a private directory, one daemon per socket, no stale leftovers.
 *
 * <p>Why the probe and the lock both exist: Netty unlinks whatever is at the path right before {@code bind(2)}, so
 * without a check a second daemon would silently steal the socket of a running one. The probe (connect) gives the
 * clear answer in the common case; the lock ({@code daemon.sock.lock}, held for the daemon's life and released by
 * the kernel when the process dies) closes the window where two daemons start at the same instant.
 */
final class SocketFile {
    private static final Logger log = LoggerFactory.getLogger(SocketFile.class);

    enum State { ABSENT, STALE, LIVE }

    private final Path socket;
    private FileChannel lockChannel;
    private FileLock lock;
    private Object boundFileKey;

    SocketFile(Path socket) {
        this.socket = socket.toAbsolutePath();
    }

    Path path() {
        return socket;
    }

    /**
     * Makes the socket path ready for {@code bind}: directory present and 0700, no live daemon, lock taken, stale
     * socket removed. Throws {@link UserError} when another daemon serves this socket.
     */
    void prepare() {
        Path dir = socket.getParent();
        try {
            Files.createDirectories(dir);
            // Set explicitly rather than at creation: createDirectories is subject to the umask, and an existing
            // directory may have been loosened by hand. 0700 means only the daemon's user can reach the socket.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new LocalIoError("cannot create the daemon's socket directory " + dir + ": " + Failures.describe(e),
                    "run the daemon as the PostgreSQL OS user that owns the data directory", e);
        }
        State state;
        try {
            state = probe(socket);
        } catch (IOException e) {
            throw new LocalIoError("cannot check whether a daemon answers on " + socket + ": " + Failures.describe(e),
                    "run the daemon as the PostgreSQL OS user that owns the data directory", e);
        }
        if (state == State.LIVE) {
            throw alreadyRunning();
        }
        takeLock();
        try {
            removeStale();
        } catch (RuntimeException e) {
            releaseLock();
            throw e;
        }
    }

    private void removeStale() {
        try {
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                    throw new LocalIoError(socket + " exists and is not a socket; refusing to remove it",
                            "move the file away; the daemon owns this path", null);
                }
                Files.delete(socket);
                log.info("removed stale daemon socket {} (no process answered on it)", socket);
            }
        } catch (IOException e) {
            throw new LocalIoError("cannot remove stale daemon socket " + socket + ": " + Failures.describe(e),
                    "remove it by hand", e);
        }
    }

    /** After bind: only the owner may connect, and remember which file is ours so we never remove another's. */
    void restrict() throws IOException {
        // Between bind and this chmod the socket has umask-derived permissions; the 0700 directory covers that gap.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        boundFileKey = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Removes the socket if it is still the one this daemon bound. Idempotent; the lock stays held. */
    void remove() {
        try {
            BasicFileAttributes attrs =
                    Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (boundFileKey != null && Objects.equals(attrs.fileKey(), boundFileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // Netty's server channel deletes the file itself on close; nothing left to do.
        } catch (IOException e) {
            log.warn("could not remove daemon socket {}: {}", socket, e.getMessage());
        }
    }

    /** Whether something accepts connections on {@code socket}; other failures (e.g. permission) are thrown. */
    static State probe(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return State.ABSENT;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking: a live daemon whose backlog is full would otherwise make us wait; "pending" is alive.
            ch.configureBlocking(false);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return State.LIVE;
        } catch (ConnectException e) {
            // ECONNREFUSED: a socket file nobody listens on (its daemon died), or not a socket at all.
            return State.STALE;
        }
    }

    private void takeLock() {
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        try {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another server in this very JVM (tests)
        } catch (IOException e) {
            releaseLock();
            throw new LocalIoError("cannot lock " + lockFile + ": " + Failures.describe(e),
                    "run the daemon as the PostgreSQL OS user that owns the data directory", e);
        }
        if (lock == null) {
            releaseLock();
            throw alreadyRunning();
        }
    }

    /**
     * Lets another daemon start here. Only once this one is completely done: during the drain after SIGTERM it
     * still uploads. The lock file itself stays (deleting it would race with a starting daemon's open).
     */
    void releaseLock() {
        try {
            if (lockChannel != null) {
                lockChannel.close(); // releases the lock too
            }
        } catch (IOException e) {
            log.debug("closing lock file: {}", e.toString());
        } finally {
            lockChannel = null;
            lock = null;
        }
    }

    private UserError alreadyRunning() {
        return new UserError(ErrorCode.USAGE, "another walstow daemon is already running for this cluster"
                + " (it answers on " + socket + ")",
                "stop it first (systemctl stop walstow); only one daemon may serve a data directory");
    }
}
