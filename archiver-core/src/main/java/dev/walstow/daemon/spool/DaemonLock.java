package dev.walstow.daemon.spool;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The fcntl lock on {@code pg_wal/.walstow/daemon.lock} that one daemon holds for its whole life, taken before it
 * touches any state. The launcher asks the kernel who holds it (F_GETLK) and compares that pid with the one in
 * {@code serving}: a killed daemon's lock is gone at once, and a reused pid holds no lock, so neither can pass for
 * a live daemon.
 *
 * <p>fcntl locks belong to the process and are dropped when any descriptor of the file closes: nothing else in the
 * daemon may open this file.
 */
public final class DaemonLock implements AutoCloseable {
    private final FileChannel channel;

    private DaemonLock(FileChannel channel) {
        this.channel = channel;
    }

    public static DaemonLock acquire(SpoolLayout layout) {
        Path file = layout.lockFile();
        FileChannel channel = null;
        try {
            Files.createDirectories(layout.root());
            Files.setPosixFilePermissions(layout.root(), PosixFilePermissions.fromString("rwx------"));
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new DaemonLock(channel);
            }
        } catch (OverlappingFileLockException e) {
            // held by another daemon in this very JVM (tests)
        } catch (IOException e) {
            closeQuietly(channel);
            throw new LocalIoError("cannot lock " + file + ": " + Failures.describe(e),
                    "run the daemon as the PostgreSQL OS user that owns the data directory", e);
        }
        closeQuietly(channel);
        throw new UserError(ErrorCode.USAGE, "another walstow daemon is already running for "
                + layout.dataDirectory() + " (it holds " + file + ")",
                "stop it first (systemctl stop walstow); only one daemon may serve a data directory");
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock; the process exit would too
            }
        }
    }
}
