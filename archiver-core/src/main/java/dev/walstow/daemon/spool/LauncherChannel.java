package dev.walstow.daemon.spool;

import dev.walstow.agent.Failures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardWatchEventKinds;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the daemon hears the launcher, which has no socket: files leaving {@code prefetch/} (the launcher took one, so
 * the window is refilled) and asks appearing in {@code asked/} ({@link LauncherAsks}). Each watch is optional: without
 * the prefetch watch the window refills only when the agent asks; without the ask watch {@code asked/} is removed, so
 * the launcher does not ask (and wait) at all.
 */
public final class LauncherChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherChannel.class);

    private final LauncherAsks asks;
    private final SpoolWatcher prefetchWatch;
    private final SpoolWatcher askWatch;

    private LauncherChannel(LauncherAsks asks, SpoolWatcher prefetchWatch, SpoolWatcher askWatch) {
        this.asks = asks;
        this.prefetchWatch = prefetchWatch;
        this.askWatch = askWatch;
    }

    /**
     * @param left told the name of each file that leaves {@code prefetch/}
     * @param fetch the daemon's archive-get, which answers the launcher's asks
     */
    public static LauncherChannel open(SpoolLayout layout, Consumer<String> left, LauncherAsks.Fetch fetch) {
        SpoolWatcher prefetchWatch = null;
        try {
            prefetchWatch = new SpoolWatcher(layout.prefetchDirectory(), StandardWatchEventKinds.ENTRY_DELETE,
                    "prefetch", left);
        } catch (IOException e) {
            LOG.warn("cannot watch {} ({}); the prefetch window refills only when the agent asks",
                    layout.prefetchDirectory(), Failures.describe(e));
        }
        LauncherAsks asks = new LauncherAsks(layout, fetch);
        SpoolWatcher askWatch = null;
        try {
            askWatch = new SpoolWatcher(layout.askedDirectory(), StandardWatchEventKinds.ENTRY_CREATE, "ask",
                    asks::asked);
        } catch (IOException e) {
            LOG.warn("cannot watch {} ({}); every archive-get that misses the prefetch starts the agent",
                    layout.askedDirectory(), Failures.describe(e));
            try {
                Files.deleteIfExists(layout.askedDirectory());
            } catch (IOException ignored) {
                // the launcher then waits its short idle limit before it starts the agent
            }
        }
        return new LauncherChannel(asks, prefetchWatch, askWatch);
    }

    /** Removes asks and answers whose launcher gave up or was killed (housekeeping). */
    public void sweep() {
        asks.sweep(LauncherAsks.ABANDONED);
    }

    @Override
    public void close() {
        if (prefetchWatch != null) {
            prefetchWatch.close();
        }
        if (askWatch != null) {
            askWatch.close();
        }
    }
}
