package dev.walstow.daemon.spool;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports files appearing in or leaving a spool directory: how the launcher talks to the daemon without a JVM.
 * It hands prefetched segments to PostgreSQL with a plain rename (without this the daemon would learn that
 * recovery moved on only at the next miss, and the prefetch window would drain instead of staying full), and it asks
 * for a file by creating {@code asked/NAME.ID} ({@code FetchService.asked}).
 */
public final class SpoolWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolWatcher.class);

    private final WatchService watch;
    private final Thread thread;

    private final String what;

    /** @param kind ENTRY_DELETE or ENTRY_CREATE; {@code what} names the directory in log lines */
    public SpoolWatcher(Path directory, WatchEvent.Kind<Path> kind, String what, Consumer<String> handler)
            throws IOException {
        this.what = what;
        watch = directory.getFileSystem().newWatchService();
        directory.register(watch, kind);
        thread = Thread.ofPlatform().daemon().name("walstow-" + what + "-watch").start(() -> run(handler));
    }

    private void run(Consumer<String> handler) {
        try {
            while (true) {
                WatchKey key = watch.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context() instanceof Path name) {
                        handler.accept(name.toString());
                    }
                    // OVERFLOW: the next GET or miss re-anchors the window, and an unanswered ask falls back to the
                    // agent after the launcher's bounded wait; nothing is lost but a little time.
                }
                if (!key.reset()) {
                    LOG.warn("{} directory is gone; no longer watching it", what);
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{} watcher failed; the agent's requests still work: {}", what, e.toString(), e);
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the {} watcher: {}", what, e.toString());
        }
        thread.interrupt();
    }
}
