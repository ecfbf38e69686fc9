package dev.walstow.repo;

import dev.walstow.agent.Failures;
import dev.walstow.config.Durations;
import dev.walstow.error.LockConflict;
import dev.walstow.error.WalstowException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository lock as its holder has it ({@link RepositoryLock#acquire}): a heartbeat thread renews it every
 * {@link RepositoryLock.Timing#heartbeat} with the holder's progress, and the holder's work calls {@link #ensureHeld}
 * before each step that writes or deletes (cheap: no I/O) and {@link #confirm} before the step that makes its work
 * count (a backup's manifest). Closing releases it; a shutdown hook releases it on SIGTERM.
 *
 * <p>The lease (see {@link RepositoryLock}): the lock is believed held until half of {@code staleAfter} after the
 * start of the last heartbeat that was stored and confirmed. Past that, or once a heartbeat found the lock taken
 * over, every check throws {@link LockConflict} and the work stops.
 */
public final class HeldLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeldLock.class);
    /** Longest wait for the heartbeat thread, and for the release in a shutdown hook. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final RepositoryLock lock;
    private final LockRecord record;
    private final RepositoryLock.Timing timing;
    private final LongSupplier nanoTime;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long leaseEnd;
    private volatile LockConflict lost;
    private volatile String lastFailure;
    private volatile Supplier<LockProgress> progress = () -> null;
    private volatile String previousBeat;
    private long seq;
    private Thread heartbeat;
    private Thread hook;

    HeldLock(RepositoryLock lock, LockRecord record, RepositoryLock.Timing timing, LongSupplier nanoTime,
            long createdAt) {
        this.lock = lock;
        this.record = record;
        this.timing = timing;
        this.nanoTime = nanoTime;
        this.leaseEnd = createdAt + timing.lease().toNanos();
    }

    /** Starts the heartbeat thread and the shutdown hook. */
    HeldLock start() {
        heartbeat = Thread.ofPlatform().daemon().name("walstow-lock-heartbeat").start(this::heartbeatLoop);
        hook = Thread.ofPlatform().unstarted(this::releaseOnShutdown);
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    public LockRecord record() {
        return record;
    }

    public long generation() {
        return record.generation();
    }

    /** What the heartbeat publishes as this holder's progress (read on the heartbeat thread; may return null). */
    public void reportProgress(Supplier<LockProgress> source) {
        this.progress = source;
    }

    /**
     * Throws unless the lock is still held: not released, not found taken over, and renewed recently enough (the
     * lease). No I/O; call it before each step that writes or deletes.
     *
     * @throws LockConflict if it is not
     */
    public void ensureHeld() {
        LockConflict l = lost;
        if (l != null) {
            throw l;
        }
        if (closed.get()) {
            throw new LockConflict("this " + record.command() + " has released the repository lock",
                    "it is stopping (SIGTERM?); run it again");
        }
        if (nanoTime.getAsLong() - leaseEnd > 0) {
            String failure = lastFailure;
            throw new LockConflict("this " + record.command() + " could not renew the repository lock of "
                    + lock.repository().location() + " for " + Durations.text(timing.lease())
                    + (failure == null ? "" : " (last failure: " + failure + ")") + ": another backup or expire "
                    + "may take it over, so it stops", "check that the repository is reachable and run it again");
        }
    }

    /**
     * {@link #ensureHeld}, and then reads the lock to make sure no one has taken it over since the last heartbeat.
     * For the step that makes the work count (a backup's manifest).
     */
    public void confirm() {
        ensureHeld();
        lock.confirm(this);
        ensureHeld();
    }

    /**
     * One heartbeat: stores the next beat (with the progress), confirms the lock is still ours, renews the lease
     * from this beat's start, deletes the previous beat. The heartbeat thread calls it; tests may too.
     *
     * @throws LockConflict if the lock was found taken over (this holder is then lost for good)
     * @throws WalstowException if the store failed (the lease is not renewed)
     */
    public synchronized void beat() {
        LockConflict l = lost;
        if (l != null) {
            throw l;
        }
        long start = nanoTime.getAsLong();
        seq++;
        String key = RepositoryLock.beatKey(record.generation(), seq);
        lock.create(key, new LockBeat(LockRecord.FORMAT, seq, lock.now().toString(), progress.get()));
        lock.confirm(this);
        leaseEnd = start + timing.lease().toNanos();
        lastFailure = null;
        String previous = previousBeat;
        previousBeat = key;
        if (previous != null) {
            lock.deleteQuietly(previous);
        }
    }

    /** Marks this holder lost (by {@link RepositoryLock#confirm}); returns the reason to throw. */
    LockConflict lost(LockConflict reason) {
        if (lost == null) {
            LOG.error("{}", reason.oneLine());
            lost = reason;
        }
        return lost;
    }

    private void heartbeatLoop() {
        try {
            while (!stopping.await(timing.heartbeat().toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    beat();
                } catch (LockConflict e) {
                    return; // lost: the work stops at its next check
                } catch (RuntimeException e) {
                    lastFailure = Failures.describe(e);
                    LOG.warn("{}: could not renew the repository lock (it stops after {} without renewal): {}",
                            record.command(), Durations.text(timing.lease()), lastFailure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Releases the lock: stops the heartbeat, then (unless it was lost) stores {@code released} and deletes the
     * last beat. A failure is logged, not thrown: the lock is then taken over once found dead or stale.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping.countDown();
        if (heartbeat != null && Thread.currentThread() != heartbeat) {
            try {
                heartbeat.join(STOP_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or has run: nothing to remove
            }
        }
        if (lost != null) {
            return;
        }
        try {
            lock.create(RepositoryLock.releasedKey(record.generation()),
                    new LockBeat(LockRecord.FORMAT, seq + 1, lock.now().toString(), null));
            String last = previousBeat;
            if (last != null) {
                lock.deleteQuietly(last);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: could not release the repository lock of {}: {}; the next backup or expire takes it "
                    + "over at once on this host once this process has exited, elsewhere after {} without "
                    + "heartbeat", record.command(), lock.repository().location(), Failures.describe(e),
                    Durations.text(timing.staleAfter()));
        }
    }

    /** On SIGTERM: release, bounded (a hung store must not keep the JVM from exiting). */
    private void releaseOnShutdown() {
        Thread release = Thread.ofPlatform().daemon().name("walstow-lock-release").start(this::close);
        try {
            release.join(STOP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
