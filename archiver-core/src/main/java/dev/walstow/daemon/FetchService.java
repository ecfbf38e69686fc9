package dev.walstow.daemon;

import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.daemon.spool.WorkMarkers;
import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.Retrier;
import dev.walstow.error.WalstowException;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers archive-get calls, fetching the next segments ahead of recovery into {@code prefetch/}.
 *
 * <p>The one answer that can end recovery is "not found"; it is given only when the repository positively said so
 * (or said so within the negative-cache TTL). A file reaches %p only by rename of a file {@link ArchiveGet} already
 * verified (size, checksum, page header) and fsync'd. Timeline history files are never cached: a promotion
 * elsewhere can create one at any moment and recovery decides its target timeline from them.
 */
final class FetchService {
    private final WorkMarkers working;
    private static final Logger LOG = LoggerFactory.getLogger(FetchService.class);

    private final SpoolLayout layout;
    private final WalSegmentSize segmentSize;
    private final ArchiveGet archiveGet;
    private final Retrier retrier;
    private final OperationTimeout timeout;
    private final int prefetch;
    private final WalstowMetrics metrics;
    private final Duration waitTimeout;
    private final NegativeCache negative;
    private final ConcurrentHashMap<String, CompletableFuture<ArchiveGet.Outcome>> inFlight =
            new ConcurrentHashMap<>();
    private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong highestTimeline = new AtomicLong();
    /** Position (timeline, segment number) recovery is known to have reached; prefetching refills from here. */
    private final ConcurrentHashMap<Long, Long> consumed = new ConcurrentHashMap<>();
    private final Set<String> ownDeletes = ConcurrentHashMap.newKeySet();

    /**
     * @param segmentSize the repository's, from its binding (read once, by the daemon)
     * @param archiveGet fetches with a single attempt; retries happen here, each attempt bounded
     */
    FetchService(SpoolLayout layout, WalSegmentSize segmentSize, ArchiveGet archiveGet, Retrier retrier,
            OperationTimeout timeout, int prefetch, Duration waitTimeout, Duration negativeCacheTtl,
            WalstowMetrics metrics) {
        this.working = new WorkMarkers(layout.fetchingDirectory());
        this.layout = layout;
        this.metrics = metrics;
        this.segmentSize = segmentSize;
        this.archiveGet = archiveGet;
        this.retrier = retrier;
        this.timeout = timeout;
        this.prefetch = prefetch;
        this.waitTimeout = waitTimeout;
        this.negative = new NegativeCache(negativeCacheTtl);
    }

    /** Whether a fetch or prefetch is running (the codec warm-up gives way). */
    boolean busy() {
        return !inFlight.isEmpty();
    }

    /** Answers one archive-get call; {@code destination} is %p, already checked to be inside pg_wal. */
    CompletableFuture<Reply> get(WalFileName name, Path destination) {
        CompletableFuture<Reply> reply;
        if (name instanceof SegmentName s) {
            reply = segment(s, destination);
        } else {
            reply = CompletableFuture.supplyAsync(() -> fetch(name, destination), tasks)
                    .thenApply(outcome -> outcome == ArchiveGet.Outcome.FETCHED
                            ? Reply.ok(name.fileName() + " restored")
                            : Reply.notFound(name.fileName() + " is not in the archive"));
        }
        return reply.copy().orTimeout(waitTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(failure -> Replies.forFailure(failure, name.fileName() + " still not restored after "
                        + waitTimeout.toSeconds() + " s"));
    }

    private CompletableFuture<Reply> segment(SegmentName s, Path destination) {
        String file = s.fileName();
        if (negative.isMissing(file)) {
            return CompletableFuture.completedFuture(Reply.notFound(file + " is not in the archive (cached answer)"));
        }
        noteTimeline(s.timeline());
        if (prefetch > 0) {
            metrics.prefetch(Files.exists(layout.prefetched(file)));
        }
        return deliver(s, destination, true).thenApply(reply -> {
            if (reply.status() == Reply.Status.OK) {
                // A request says exactly where recovery is, even if it went back (a new attempt).
                consumed.put(s.timeline().value(), -1L);
                advance(s);
            }
            return reply;
        });
    }

    /**
     * A file left prefetch/: the launcher handed it to recovery (or we cleaned it up). Only progress beyond what
     * is known refills the window; an older name must not make the daemon fetch segments recovery already passed.
     */
    void left(String fileName) {
        if (ownDeletes.remove(fileName)) {
            return;
        }
        if (fileName.length() == 24) {
            try {
                if (WalFileName.parse(fileName) instanceof SegmentName s) {
                    advance(s);
                }
            } catch (WalstowException notAWalName) {
                // temp files of ArchiveGet: not progress
            }
        }
    }

    private void advance(SegmentName s) {
        long position = s.segmentNumber(segmentSize);
        long before = consumed.getOrDefault(s.timeline().value(), -1L);
        consumed.merge(s.timeline().value(), position, Math::max);
        if (position > before) {
            tasks.execute(() -> schedulePrefetch(s));
        }
    }

    private CompletableFuture<Reply> deliver(SegmentName s, Path destination, boolean mayRetry) {
        String file = s.fileName();
        return obtain(s).thenCompose(outcome -> {
            if (outcome == ArchiveGet.Outcome.NOT_FOUND) {
                return CompletableFuture.completedFuture(Reply.notFound(file + " is not in the archive"));
            }
            try {
                Files.move(layout.prefetched(file), destination, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                return CompletableFuture.completedFuture(Reply.ok(file + " restored"));
            } catch (NoSuchFileException e) {
                // Taken by a concurrent call or swept by spool hygiene between fetch and hand-over: fetch again.
                if (mayRetry) {
                    return deliver(s, destination, false);
                }
                return CompletableFuture.completedFuture(localError(file, destination, e));
            } catch (IOException e) {
                return CompletableFuture.completedFuture(localError(file, destination, e));
            }
        });
    }

    /** The prefetched file if present, else the fetch in flight for it, else a new fetch into prefetch/. */
    private CompletableFuture<ArchiveGet.Outcome> obtain(SegmentName s) {
        String file = s.fileName();
        Path target = layout.prefetched(file);
        if (Files.exists(target)) {
            return CompletableFuture.completedFuture(ArchiveGet.Outcome.FETCHED);
        }
        CompletableFuture<ArchiveGet.Outcome> fresh = new CompletableFuture<>();
        CompletableFuture<ArchiveGet.Outcome> running = inFlight.putIfAbsent(file, fresh);
        if (running != null) {
            return running;
        }
        tasks.execute(() -> {
            working.begin(file);
            try {
                ArchiveGet.Outcome outcome = Files.exists(target) ? ArchiveGet.Outcome.FETCHED : fetch(s, target);
                if (outcome == ArchiveGet.Outcome.NOT_FOUND) {
                    negative.remember(file);
                }
                fresh.complete(outcome);
            } catch (Throwable t) {
                fresh.completeExceptionally(t);
            } finally {
                working.end(file);
                inFlight.remove(file, fresh);
            }
        });
        return fresh;
    }

    private ArchiveGet.Outcome fetch(WalFileName name, Path target) {
        String doing = "fetching " + name.fileName();
        long started = System.nanoTime();
        try {
            ArchiveGet.Outcome outcome = retrier.call(doing,
                    () -> timeout.call(doing, () -> archiveGet.get(name, target)));
            if (outcome == ArchiveGet.Outcome.FETCHED) {
                metrics.downloaded(sizeOf(target), Duration.ofNanos(System.nanoTime() - started));
            }
            return outcome;
        } catch (WalstowException e) {
            metrics.failed("fetch", name.fileName(), e.code(), e.oneLine());
            throw e;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // handed over already; only a metric is lost
        }
    }

    /**
     * Starts fetching the segments after {@code s} on its timeline. Disk stays bounded by {@code prefetch}
     * segments: files recovery has passed are deleted, and files plus fetches in flight never exceed the bound.
     */
    private void schedulePrefetch(SegmentName s) {
        WalSegmentSize size = segmentSize;
        if (prefetch == 0) {
            return;
        }
        long position = s.segmentNumber(size);
        // A set, not a count: a fetch that has just completed is both in the spool and, for a moment, still in
        // inFlight; counted twice it would fill the bound, and with no later trigger the window would stay short.
        // The fetch of s itself may not have left the map yet either; it no longer occupies the spool.
        Set<String> held = new HashSet<>(inFlight.keySet());
        held.remove(s.fileName());
        for (SegmentName spooled : spooledSegments()) {
            if (spooled.timeline().equals(s.timeline()) && spooled.segmentNumber(size) <= position) {
                deleteOwn(layout.prefetched(spooled.fileName()));
                held.remove(spooled.fileName());
            } else {
                held.add(spooled.fileName());
            }
        }
        SegmentName next = s;
        for (int i = 0; i < prefetch && held.size() < prefetch; i++) {
            try {
                next = next.next(size);
            } catch (IllegalArgumentException endOfWal) {
                return;
            }
            String file = next.fileName();
            if (negative.isMissing(file)) {
                return; // recovery is at the end of the archive; nothing beyond a gap is useful yet
            }
            if (inFlight.containsKey(file) || Files.exists(layout.prefetched(file))) {
                continue;
            }
            held.add(file);
            obtain(next).whenComplete((outcome, failure) -> {
                if (outcome == ArchiveGet.Outcome.FETCHED) {
                    LOG.info("prefetched {}", file);
                } else if (failure != null) {
                    LOG.warn("prefetching {} failed (it is fetched again when asked for): {}", file,
                            Failures.describe(failure));
                }
            });
        }
    }

    /** Recovery moved to a newer timeline: what was fetched for older ones will not be asked for. */
    private void noteTimeline(TimelineId timeline) {
        long previous = highestTimeline.getAndAccumulate(timeline.value(), Math::max);
        if (timeline.value() > previous) {
            for (SegmentName spooled : spooledSegments()) {
                if (spooled.timeline().compareTo(timeline) < 0) {
                    deleteOwn(layout.prefetched(spooled.fileName()));
                }
            }
        }
    }

    /** Empties prefetch/ (start-up, end of recovery). Fetches still in flight may add a file; swept next time. */
    void clearSpool() {
        consumed.clear();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.prefetchDirectory())) {
            for (Path file : files) {
                deleteOwn(file);
            }
        } catch (IOException e) {
            LOG.warn("cannot clear {}: {}", layout.prefetchDirectory(), Failures.describe(e));
        }
    }

    /** Without recovery.signal or standby.signal the server is (or is becoming) a primary: drop the spool. */
    void checkRecoveryEnded() {
        Path data = layout.dataDirectory();
        if (!Files.exists(data.resolve("recovery.signal")) && !Files.exists(data.resolve("standby.signal"))
                && !spooledSegments().isEmpty()) {
            LOG.info("recovery has ended; clearing {}", layout.prefetchDirectory());
            clearSpool();
        }
        negative.purgeExpired();
    }

    void close() {
        tasks.shutdownNow();
    }

    private List<SegmentName> spooledSegments() {
        List<SegmentName> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.prefetchDirectory())) {
            for (Path file : files) {
                try {
                    if (WalFileName.parse(file.getFileName().toString()) instanceof SegmentName s) {
                        names.add(s);
                    }
                } catch (WalstowException notOurs) {
                    // temporary files of fetches in progress
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", layout.prefetchDirectory(), Failures.describe(e));
        }
        return names;
    }

    private static Reply localError(String file, Path destination, IOException e) {
        return Reply.error(ErrorCode.LOCAL_IO, ErrorCode.LOCAL_IO.line("cannot move " + file + " to " + destination
                + ": " + Failures.describe(e), "check free space and permissions of pg_wal"));
    }

    /** Our own deletions are not recovery's progress: {@link #left} must not refill the window for them. */
    private void deleteOwn(Path file) {
        String name = file.getFileName().toString();
        ownDeletes.add(name);
        try {
            if (!Files.deleteIfExists(file)) {
                ownDeletes.remove(name);
            }
        } catch (IOException e) {
            ownDeletes.remove(name);
            LOG.warn("cannot delete {}: {}", file, Failures.describe(e));
        }
    }
}
