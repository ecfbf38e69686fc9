package dev.walstow.daemon;

import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalstowException;
import dev.walstow.wal.WalFileName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The names the daemon knows are not yet durable, in {@link WalOrder} with names a client waits for in front.
 * Holds names only (the segments stay in pg_wal), at most {@code capacity} found by scanning; names a client asks
 * for are always admitted.
 *
 * <p>A name that failed waits out its own backoff. A retryable repository failure also pauses the whole queue for
 * the same delay (the store is probably down; hammering it with the rest of the backlog helps nobody), except for
 * names a client is waiting for: one attempt per PostgreSQL call is not a hot loop and gives it a fresh answer.
 */
final class PushQueue {

    /** One name; all fields are guarded by the queue's lock. */
    static final class Entry {
        final WalFileName name;
        private boolean urgent;
        private boolean inFlight;
        private int failures;
        private long notBefore = System.nanoTime();
        private WalstowException lastError;
        private CompletableFuture<Void> outcome = new CompletableFuture<>();

        private Entry(WalFileName name) {
            this.name = name;
        }

        String fileName() {
            return name.fileName();
        }

        int failures() {
            return failures;
        }
    }

    private static final Comparator<Entry> ORDER = Comparator.comparing((Entry e) -> !e.urgent)
            .thenComparing(e -> e.name, WalOrder.OLDEST_FIRST);

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> waiting = new TreeSet<>(ORDER);
    private long storePausedUntil = System.nanoTime();
    private boolean closed;

    PushQueue(int capacity) {
        this.capacity = capacity;
    }

    /** From the scanner. @return whether the name was new and admitted */
    boolean offer(WalFileName name) {
        lock.lock();
        try {
            if (closed || entries.containsKey(name.fileName()) || entries.size() >= capacity) {
                return false;
            }
            add(new Entry(name));
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean contains(String fileName) {
        lock.lock();
        try {
            return entries.containsKey(fileName);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A client waits for NAME: move it to the front (adding it if unknown). A name waiting out its backoff after
     * a failure answers that failure at once; the retry continues on its schedule.
     *
     * @return completes when the current attempt's outcome is known (exceptionally with the WalstowException)
     */
    CompletableFuture<Void> request(WalFileName name) {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(shuttingDown(name));
            }
            Entry e = entries.get(name.fileName());
            if (e == null) {
                e = new Entry(name);
                e.urgent = true;
                add(e);
            } else if (!e.inFlight) {
                if (e.lastError != null && System.nanoTime() - e.notBefore < 0) {
                    return CompletableFuture.failedFuture(e.lastError);
                }
                waiting.remove(e);
                e.urgent = true;
                waiting.add(e);
                changed.signalAll();
            }
            return e.outcome;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a name is due. @return null once the queue is closed */
    Entry take() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                long wake = Long.MAX_VALUE;
                for (Entry e : waiting) {
                    long due = e.urgent || storePausedUntil - e.notBefore < 0 ? e.notBefore : storePausedUntil;
                    if (now - due >= 0) {
                        waiting.remove(e);
                        e.inFlight = true;
                        return e;
                    }
                    wake = Math.min(wake, due - now);
                }
                if (wake == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(wake);
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    void succeeded(Entry e) {
        CompletableFuture<Void> outcome;
        lock.lock();
        try {
            entries.remove(e.fileName());
            outcome = e.outcome;
        } finally {
            lock.unlock();
        }
        outcome.complete(null);
    }

    /** Back in line after {@code retryIn}; the waiters of this attempt get {@code error}. */
    void failed(Entry e, WalstowException error, Duration retryIn) {
        CompletableFuture<Void> outcome;
        lock.lock();
        try {
            e.failures++;
            e.lastError = error;
            e.inFlight = false;
            e.urgent = false;
            e.notBefore = System.nanoTime() + retryIn.toNanos();
            if (error instanceof RepositoryError && error.retryable()
                    && e.notBefore - storePausedUntil > 0) {
                storePausedUntil = e.notBefore;
            }
            outcome = e.outcome;
            e.outcome = new CompletableFuture<>();
            if (!closed) {
                waiting.add(e);
            } else {
                entries.remove(e.fileName());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        outcome.completeExceptionally(error);
    }

    /**
     * After a full scan: forget names whose .ready file is gone (archived by another path, or the segment was
     * removed), unless a client waits for them or they are being pushed.
     */
    void retainOnly(Set<String> ready) {
        lock.lock();
        try {
            for (Iterator<Entry> it = waiting.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (!e.urgent && !ready.contains(e.fileName())) {
                    it.remove();
                    entries.remove(e.fileName());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out work. Clients waiting for names not in flight get an error; PostgreSQL retries them. */
    void close() {
        List<Entry> abandoned;
        lock.lock();
        try {
            closed = true;
            abandoned = new ArrayList<>(waiting);
            waiting.clear();
            abandoned.forEach(e -> entries.remove(e.fileName()));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        abandoned.forEach(e -> e.outcome.completeExceptionally(shuttingDown(e.name)));
    }

    private void add(Entry e) {
        entries.put(e.fileName(), e);
        waiting.add(e);
        changed.signalAll();
    }

    private static WalstowException shuttingDown(WalFileName name) {
        return new RepositoryError(name.fileName() + " was not pushed: the daemon is shutting down",
                "PostgreSQL will retry; the next daemon start picks it up from archive_status", false, null);
    }
}
