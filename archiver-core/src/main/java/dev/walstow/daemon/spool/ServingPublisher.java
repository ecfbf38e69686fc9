package dev.walstow.daemon.spool;

import dev.walstow.agent.Failures;
import dev.walstow.agent.spool.Serving;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns {@code pg_wal/.walstow/serving} ({@link Serving}): writes it once the daemon serves, renews its mtime every
 * {@link Serving#HEARTBEAT_EVERY} (the heartbeat launchers and agents read), and withdraws it when the daemon stops
 * or its configuration file changes.
 *
 * <p>The heartbeat has a thread of its own, at the default priority, doing nothing else: a beat that is late
 * because of this daemon's own work would make a merely busy daemon look hung. A late beat is logged with its
 * delay, so an overloaded machine shows up before launchers start to fall back.
 *
 * <p>On a changed configuration it withdraws at once (calls stop answering from state the new file may not
 * describe) and calls {@code onConfigurationChange} once; {@code walstow daemon} then stops and exits 75 so that
 * systemd starts it again with the new file (a restart rather than a reload: every service of the daemon is built
 * from the configuration, and a restart is the one path that is tested for all of them).
 */
public final class ServingPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingPublisher.class);
    /** A beat this late is worth a warning: past Serving.STALE_AFTER, launchers treat the daemon as hung. */
    private static final long LATE_WARNING_MILLIS = 2_000;

    private final SpoolLayout layout;
    private final String repositoryId;
    private final Runnable onConfigurationChange;
    private final ScheduledExecutorService beats;
    private volatile Optional<ConfigStamp> config;
    private volatile boolean withdrawn;
    private long lastBeatNanos;
    private long longestGapMillis;

    public ServingPublisher(SpoolLayout layout, String repositoryId, Optional<ConfigStamp> config,
            Runnable onConfigurationChange) {
        this.layout = layout;
        this.repositoryId = repositoryId;
        this.config = config;
        this.onConfigurationChange = onConfigurationChange;
        this.beats = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("walstow-heartbeat")
                .daemon().factory());
    }

    /** Deletes a {@code serving} left by an earlier daemon: first thing at start-up, before any state is touched. */
    public static void withdrawStale(SpoolLayout layout) {
        try {
            Files.deleteIfExists(layout.servingFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + layout.servingFile(), e);
        }
    }

    /** Publishes and starts beating. Without a configuration file (tests) nothing can match it: nothing is written. */
    public void start() {
        if (config.isEmpty() || config.get().fingerprint().isEmpty()) {
            LOG.info("no configuration file fingerprint: launchers and agents will not answer from this daemon's "
                    + "state");
            return;
        }
        write(config.get());
        lastBeatNanos = System.nanoTime();
        long every = Serving.HEARTBEAT_EVERY.toMillis();
        beats.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether a call with this configuration fingerprint may be served: yes without a configuration file of our
     * own (tests: nothing to compare), no once the file changed.
     */
    public boolean serves(String callFingerprint) {
        Optional<ConfigStamp> c = config;
        return c.isEmpty() || (!withdrawn && !callFingerprint.isEmpty() && c.get().fingerprint().equals(callFingerprint));
    }

    /** The longest gap between two beats so far, in milliseconds (logged at shutdown: how close to stale it came). */
    public synchronized long longestGapMillis() {
        return longestGapMillis;
    }

    /** Stops answering from the daemon's state: deletes {@code serving}; the heartbeat stops. */
    public synchronized void withdraw() {
        withdrawn = true;
        beats.shutdownNow();
        try {
            Files.deleteIfExists(layout.servingFile());
        } catch (IOException e) {
            // The heartbeat has stopped: within Serving.STALE_AFTER nobody trusts the file anyway.
            LOG.warn("cannot remove {}: {}", layout.servingFile(), Failures.describe(e));
        }
    }

    @Override
    public void close() {
        withdraw();
    }

    private synchronized void beat() {
        if (withdrawn) {
            return;
        }
        try {
            long now = System.nanoTime();
            long gap = (now - lastBeatNanos) / 1_000_000;
            lastBeatNanos = now;
            longestGapMillis = Math.max(longestGapMillis, gap);
            if (gap > LATE_WARNING_MILLIS) {
                LOG.warn("heartbeat {} ms late (the machine is overloaded, or the JVM paused): after {} s without one "
                        + "launchers treat this daemon as hung and archive without it", gap,
                        Serving.STALE_AFTER.toSeconds());
            }
            ConfigStamp loaded = config.get();
            Optional<ConfigStamp> same = loaded.stillSame();
            if (same.isEmpty()) {
                withdraw();
                LOG.warn("configuration file {} changed: this daemon no longer answers calls and stops, to be "
                        + "started again with the new configuration", loaded.file());
                onConfigurationChange.run();
                return;
            }
            if (!same.get().equals(loaded)) {
                config = same;
                write(same.get());
            } else {
                Files.setLastModifiedTime(layout.servingFile(), FileTime.fromMillis(System.currentTimeMillis()));
            }
        } catch (NoSuchFileException e) {
            // Deleted behind our back: publish again (only we decide when the daemon stops serving).
            config.ifPresent(this::write);
        } catch (IOException | RuntimeException e) {
            LOG.warn("heartbeat: cannot renew {}: {}", layout.servingFile(), e.toString());
        }
    }

    private void write(ConfigStamp stamp) {
        Serving serving = new Serving(ProcessHandle.current().pid(), repositoryId, stamp.fingerprint(),
                stamp.file().toString());
        Path temp = layout.root().resolve("." + Serving.FILE + ".tmp");
        try {
            Files.writeString(temp, serving.format(), StandardCharsets.UTF_8);
            Files.move(temp, layout.servingFile(), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot publish {}: {}; launchers and agents take the slow path", layout.servingFile(),
                    Failures.describe(e));
        }
    }
}
