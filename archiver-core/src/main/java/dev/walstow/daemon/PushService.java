package dev.walstow.daemon;

import dev.walstow.agent.Failures;
import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.daemon.spool.StatusFiles;
import dev.walstow.daemon.spool.WorkMarkers;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.archive.ArchivePush;
import dev.walstow.archive.Retrier;
import dev.walstow.error.UnexpectedError;
import dev.walstow.error.WalstowException;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives everything PostgreSQL marked .ready, oldest first, with {@code push-concurrency} workers, and answers
 * archive-push calls from what they achieved. A reply is OK only when the repository confirmed the object (or
 * {@code pushed/NAME}, written only after such a confirmation, vouches for the very same segment).
 *
 * <p>Nothing is spooled: segments are read from pg_wal, where PostgreSQL keeps them until archive-push said OK, so
 * a crash of the daemon at any point loses nothing; the next start finds the same .ready files.
 */
final class PushService {
    private final WorkMarkers working;
    private static final Logger LOG = LoggerFactory.getLogger(PushService.class);
    /** More names than this from one listing wait for a later listing; memory stays small whatever the backlog. */
    static final int QUEUE_CAPACITY = 4096;

    private final SpoolLayout layout;
    private final ArchivePush archivePush;
    private final WalSegmentSize segmentSize;
    private final Retrier retrier;
    private final OperationTimeout timeout;
    private final StatusFiles status;
    private final PushQueue queue = new PushQueue(QUEUE_CAPACITY);
    private final ReadyScanner scanner;
    private final Backoff retryable;
    private final Backoff permanent;
    private final Duration waitTimeout;
    private final int concurrency;
    private final List<Thread> workers = new ArrayList<>();
    private final WalstowMetrics metrics;

    /**
     * @param archivePush pushes one file with a single attempt; retries happen here, each attempt bounded
     * @param retryable backoff after a failure that may go away (store down)
     * @param permanent backoff after one that needs a human (duplicate, invalid WAL): slower, never a hot loop
     */
    PushService(SpoolLayout layout, ArchivePush archivePush, WalSegmentSize segmentSize, Retrier retrier,
            OperationTimeout timeout, int concurrency, Duration waitTimeout, Duration rescanEvery, Backoff retryable,
            Backoff permanent, WalstowMetrics metrics) {
        this.segmentSize = segmentSize;
        this.working = new WorkMarkers(layout.pushingDirectory());
        this.layout = layout;
        this.metrics = metrics;
        this.archivePush = archivePush;
        this.retrier = retrier;
        this.timeout = timeout;
        this.concurrency = concurrency;
        this.waitTimeout = waitTimeout;
        this.retryable = retryable;
        this.permanent = permanent;
        this.status = new StatusFiles(layout);
        this.scanner = new ReadyScanner(layout.archiveStatus(), rescanEvery, this::onListing, this::onReady);
    }

    synchronized void start() {
        for (int i = 0; i < concurrency; i++) {
            workers.add(Thread.ofVirtual().name("walstow-push-" + i).start(this::work));
        }
        scanner.start();
    }

    /** Answers one archive-push call for {@code segment} (already checked to be pg_wal/NAME). */
    CompletableFuture<Reply> push(WalFileName name, Path segment) {
        if (status.pushedMatches(name.fileName(), segment)) {
            return CompletableFuture.completedFuture(Reply.ok(name.fileName() + " is already archived"));
        }
        return queue.request(name).copy()
                .orTimeout(waitTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, failure) -> failure == null
                        ? Reply.ok(name.fileName() + " archived")
                        : Replies.forFailure(failure, name.fileName() + " still not durable after "
                                + waitTimeout.toSeconds() + " s; PostgreSQL will retry"));
    }

    int removeOrphans() {
        return status.removeOrphans();
    }

    int queued() {
        return queue.size();
    }

    /**
     * Stops taking work and waits up to {@code bound} for uploads in flight. Anything unfinished keeps its .ready
     * file and is pushed again by the next daemon (the repository tells an identical re-push apart).
     *
     * @return whether every worker finished within the bound
     */
    boolean shutdown(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        scanner.stop();
        queue.close();
        boolean all = true;
        for (Thread worker : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                worker.interrupt();
                all = false;
            }
        }
        return all;
    }

    private void onListing(List<WalFileName> ready) {
        Set<String> names = new HashSet<>();
        for (WalFileName name : ready) {
            names.add(name.fileName());
        }
        queue.retainOnly(names);
        ready.forEach(this::onReady);
    }

    private void onReady(WalFileName name) {
        if (!queue.contains(name.fileName())
                && !status.pushedMatches(name.fileName(), layout.pgWal().resolve(name.fileName()))) {
            queue.offer(name);
        }
    }

    private void work() {
        try {
            for (PushQueue.Entry e = queue.take(); e != null; e = queue.take()) {
                pushOne(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pushOne(PushQueue.Entry e) {
        String file = e.fileName();
        Path segment = layout.pgWal().resolve(file);
        if (e.failures() > 0) {
            metrics.retried("push");
        }
        long started = System.nanoTime();
        working.begin(file);
        try {
            FileTime mtime = StatusFiles.mtime(segment);
            ArchivePush.Outcome outcome = retrier.call("pushing " + file,
                    () -> timeout.call("pushing " + file, () -> archivePush.push(e.name, segment)));
            markPushed(file, mtime);
            metrics.archived(e.name, segmentSize, outcome.plainSize(),
                    outcome.alreadyArchived() ? -1 : outcome.storedSize(), Duration.ofNanos(System.nanoTime() - started));
            queue.succeeded(e);
            LOG.info("{} archived ({})", file, outcome.alreadyArchived() ? "already there, identical"
                    : outcome.plainSize() + " -> " + outcome.storedSize() + " bytes");
        } catch (WalstowException err) {
            fail(e, err);
        } catch (RuntimeException err) {
            fail(e, new UnexpectedError("pushing " + file + " failed unexpectedly: " + Failures.describe(err), err));
        } finally {
            working.end(file);
        }
    }

    private void fail(PushQueue.Entry e, WalstowException err) {
        status.markFailed(e.fileName(), err);
        metrics.failed("push", e.fileName(), err.code(), err.oneLine());
        Duration retryIn = (err.retryable() ? retryable : permanent).after(e.failures() + 1);
        LOG.warn("{} not archived, retrying in {} ms: {}", e.fileName(), retryIn.toMillis(), err.oneLine());
        queue.failed(e, err, retryIn);
    }

    /** The push is durable whatever happens here; a missing marker only costs the launcher's shortcut. */
    private void markPushed(String file, FileTime mtime) {
        try {
            status.markPushed(file, mtime);
        } catch (IOException ex) {
            LOG.warn("{} archived, but its marker in {} could not be written: {}", file, layout.pushedDirectory(),
                    Failures.describe(ex));
        }
    }
}
