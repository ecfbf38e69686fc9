package dev.walstow.daemon.spool;

import dev.walstow.agent.Failures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the launcher, through the filesystem, that the daemon is working on a file right now, so that an
 * archive_command or restore_command call for it waits in the launcher (no subprocess, no JVM) instead of starting the
 * agent JVM only to wait there. During a backlog drain PostgreSQL calls for the segment the daemon is uploading;
 * without this each such call cost a JVM start (~0.1 CPU-s), which was most of the drain's CPU.
 *
 * <p>Markers are hints, never answers: the launcher still answers only from {@code pushed/} (durable, same mtime)
 * or {@code prefetch/} (verified). A stale marker after kill -9 costs at most the launcher's bounded wait, and
 * only while the pid in {@code daemon.pid} is alive; markers are cleared at start-up.
 */
public final class WorkMarkers {
    private static final Logger LOG = LoggerFactory.getLogger(WorkMarkers.class);

    private final Path directory;

    public WorkMarkers(Path directory) {
        this.directory = directory;
    }

    public void begin(String fileName) {
        try {
            Files.createFile(directory.resolve(fileName));
        } catch (FileAlreadyExistsException e) {
            // A retry of the same file: still working on it.
        } catch (IOException e) {
            LOG.debug("cannot mark {} in progress: {}", fileName, e.toString());
        }
    }

    public void end(String fileName) {
        try {
            Files.deleteIfExists(directory.resolve(fileName));
        } catch (IOException e) {
            LOG.debug("cannot unmark {}: {}", fileName, e.toString());
        }
    }

    void clear() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.warn("cannot clear {}: {}", directory, Failures.describe(e));
        }
    }

    /** Writes the pid file and the FIFO the launcher naps on; both optional for correctness. */
    public static void publishPresence(SpoolLayout layout) {
        try {
            Path temp = layout.root().resolve(".daemon.pid.tmp");
            Files.writeString(temp, ProcessHandle.current().pid() + "\n");
            Files.move(temp, layout.pidFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (!Files.exists(layout.napFifo())) {
                Process mkfifo = new ProcessBuilder("mkfifo", "-m", "0600", layout.napFifo().toString())
                        .redirectErrorStream(true).start();
                if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
                    LOG.warn("mkfifo {} failed; calls wait in the agent JVM instead of in the launcher",
                            layout.napFifo());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot publish the daemon's presence in {}: {}", layout.root(), Failures.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On a clean stop: the launcher must not wait for a daemon that is gone. */
    public static void withdrawPresence(SpoolLayout layout) {
        try {
            Files.deleteIfExists(layout.pidFile());
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", layout.pidFile(), e.toString());
        }
    }
}
