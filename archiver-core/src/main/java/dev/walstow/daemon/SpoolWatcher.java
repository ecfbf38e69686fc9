package dev.walstow.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports files leaving {@code prefetch/}. The launcher hands prefetched segments to PostgreSQL with a plain
 * {@code mv}, without a JVM and without telling the daemon; without this the daemon would learn that recovery
 * moved on only at the next miss, and the prefetch window would drain instead of staying full.
 */
final class SpoolWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolWatcher.class);

    private final WatchService watch;
    private final Thread thread;

    SpoolWatcher(Path directory, Consumer<String> left) throws IOException {
        watch = directory.getFileSystem().newWatchService();
        directory.register(watch, StandardWatchEventKinds.ENTRY_DELETE);
        thread = Thread.ofPlatform().daemon().name("walstow-spool-watch").start(() -> run(left));
    }

    private void run(Consumer<String> left) {
        try {
            while (true) {
                WatchKey key = watch.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context() instanceof Path name) {
                        left.accept(name.toString());
                    }
                    // OVERFLOW: the next GET or miss re-anchors the window; nothing is lost but a little time.
                }
                if (!key.reset()) {
                    LOG.warn("prefetch directory is gone; no longer watching it");
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("prefetch watcher failed; prefetching continues on each fetch: {}", e.toString(), e);
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the prefetch watcher: {}", e.toString());
        }
        thread.interrupt();
    }
}
