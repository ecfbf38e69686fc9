package dev.walstow.daemon.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon process's life: start the server, tell systemd, and on SIGTERM (a JVM shutdown hook) stop in the order
 * that loses nothing: {@code STOPPING=1}; stop accepting (new agents fall back at once); let in-flight requests be
 * answered (an archive-push is acknowledged only once durable); stop the services; close the socket and the loop.
 * All of it within {@code shutdownTimeout} ({@code [daemon] shutdown-timeout}); systemd's TimeoutStopSec is set a
 * little above it so the daemon, not SIGKILL, decides what is cut off.
 *
 * <p>Usage by the {@code walstow daemon} command: {@code runtime.start(); runtime.awaitShutdown();}.
 */
public final class DaemonRuntime {
    private static final Logger log = LoggerFactory.getLogger(DaemonRuntime.class);

    /** The daemon's services (push queue, prefetcher, ...): stop within the given time, finishing what is durable. */
    @FunctionalInterface
    public interface Services {
        void stop(Duration within) throws Exception;
    }

    private final DaemonServer server;
    private final Services services;
    private final Duration shutdownTimeout;
    private final Map<String, String> environment;
    private final boolean installHook;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private SdNotify notify = SdNotify.disabled();
    private boolean started;
    private boolean stopping;

    /** For production: notifications from the process environment, shutdown on SIGTERM. */
    public DaemonRuntime(DaemonServer server, Services services, Duration shutdownTimeout) {
        this(server, services, shutdownTimeout, System.getenv(), true);
    }

    DaemonRuntime(DaemonServer server, Services services, Duration shutdownTimeout, Map<String, String> environment,
            boolean installHook) {
        this.server = server;
        this.services = services;
        this.shutdownTimeout = shutdownTimeout;
        this.environment = environment;
        this.installHook = installHook;
    }

    /** Starts serving; on failure (another daemon, no socket) nothing is left running and the error propagates. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        server.start();
        notify = SdNotify.fromEnvironment(environment, server.eventLoop());
        if (installHook) {
            Runtime.getRuntime().addShutdownHook(
                    Thread.ofPlatform().name("walstow-shutdown").unstarted(this::shutdown));
        }
        notify.ready("serving on " + server.socket());
        notify.startWatchdog(server.eventLoop());
    }

    /** Stops everything, at most once; later calls wait for the first to finish. */
    public void shutdown() {
        synchronized (this) {
            if (stopping || !started) {
                stopping = true;
                stopped.countDown();
                return;
            }
            stopping = true;
        }
        try {
            stopAll();
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #shutdown()} has completed (called from the shutdown hook on SIGTERM). */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    private void stopAll() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        log.info("daemon stopping: {} request(s) in flight, up to {} s to finish", server.inFlight(),
                shutdownTimeout.toSeconds());
        notify.stopping("stopping: finishing " + server.inFlight() + " request(s)");
        server.stopAccepting();
        try {
            int left = server.awaitInFlight(remaining(deadline));
            if (left > 0) {
                log.warn("{} request(s) still unanswered at the shutdown deadline; their agents will retry", left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            services.stop(remaining(deadline));
        } catch (Exception e) {
            log.error("stopping the daemon's services failed: {}", e.toString());
        }
        notify.close();
        server.close();
        log.info("daemon stopped");
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
