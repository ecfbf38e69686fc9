package dev.walstow.daemon;

import dev.walstow.agent.Failures;
import dev.walstow.error.WalstowException;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the WAL files PostgreSQL wants archived: {@code pg_wal/archive_status/NAME.ready}.
 *
 * <p>The periodic full listing is the source of truth; the WatchService only makes a new segment start uploading
 * at once instead of at the next listing. Events can be lost (overflow, a filesystem without inotify), listings
 * cannot, so nothing depends on the events.
 */
final class ReadyScanner {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyScanner.class);
    private static final String SUFFIX = ".ready";

    private final Path archiveStatus;
    private final Duration rescanEvery;
    private final Consumer<List<WalFileName>> onListing;
    private final Consumer<WalFileName> onReady;
    private volatile boolean stopped;
    private Thread thread;
    private WatchService watcher;
    private int failedListings;

    /**
     * @param onListing every full listing, oldest first
     * @param onReady a .ready file that just appeared
     */
    ReadyScanner(Path archiveStatus, Duration rescanEvery, Consumer<List<WalFileName>> onListing,
            Consumer<WalFileName> onReady) {
        this.archiveStatus = archiveStatus;
        this.rescanEvery = rescanEvery;
        this.onListing = onListing;
        this.onReady = onReady;
    }

    synchronized void start() {
        try {
            watcher = archiveStatus.getFileSystem().newWatchService();
            archiveStatus.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot watch {} ({}); relying on listing it every {} ms", archiveStatus, e.toString(),
                    rescanEvery.toMillis());
            watcher = null;
        }
        thread = Thread.ofVirtual().name("walstow-ready-scanner").start(this::run);
    }

    synchronized void stop() throws InterruptedException {
        stopped = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing only wakes the scanner up
            }
        }
        if (thread != null) {
            thread.interrupt();
            thread.join(5_000);
        }
    }

    /** Lists archive_status once, oldest first. Unparsable names are skipped: they are not ours to archive. */
    List<WalFileName> list() {
        List<WalFileName> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(archiveStatus, "*" + SUFFIX)) {
            for (Path file : files) {
                parse(file.getFileName().toString()).ifPresent(names::add);
            }
            failedListings = 0;
        } catch (IOException e) {
            // Once, then every 100th time: a data directory that went away must not flood the log twice a second.
            if (failedListings++ % 100 == 0) {
                LOG.warn("cannot list {} (failure {} in a row; PostgreSQL's data directory gone or unmounted?): {}",
                        archiveStatus, failedListings, Failures.describe(e));
            }
        }
        names.sort(WalOrder.OLDEST_FIRST);
        return names;
    }

    private void run() {
        long nextListing = System.nanoTime();
        while (!stopped) {
            try {
                if (System.nanoTime() - nextListing >= 0) {
                    onListing.accept(list());
                    nextListing = System.nanoTime() + rescanEvery.toNanos();
                }
                long wait = Math.max(1, nextListing - System.nanoTime());
                if (watcher == null) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                    continue;
                }
                WatchKey key = watcher.poll(wait, TimeUnit.NANOSECONDS);
                if (key != null) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                            nextListing = System.nanoTime();
                        } else if (event.context() instanceof Path p) {
                            parse(p.toString()).ifPresent(onReady);
                        }
                    }
                    key.reset();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                // One bad callback must not stop archiving; the next listing tries again.
                LOG.error("scanning {} failed: {}", archiveStatus, e.toString(), e);
                nextListing = System.nanoTime() + rescanEvery.toNanos();
            }
        }
    }

    private static Optional<WalFileName> parse(String statusFile) {
        if (!statusFile.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(WalFileName.parse(statusFile.substring(0, statusFile.length() - SUFFIX.length())));
        } catch (WalstowException e) {
            return Optional.empty();
        }
    }
}
