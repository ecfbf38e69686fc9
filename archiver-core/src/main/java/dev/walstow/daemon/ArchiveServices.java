package dev.walstow.daemon;

import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.ArchivePush;
import dev.walstow.archive.Retrier;
import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.repo.BoundRepository;
import dev.walstow.wal.WalSegmentSize;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The daemon's push and fetch services over one bound repository, with the pools their attempts run on. This is the
 * daemon's one retry layer: each whole attempt ({@link ArchivePush} and {@link ArchiveGet} make one) is bounded by
 * {@code [daemon] operation-timeout} and repeated per {@code [retry]}.
 */
record ArchiveServices(PushService push, FetchService fetch, ExecutorService pushPool, ExecutorService fetchPool) {

    static ArchiveServices create(SpoolLayout layout, BoundRepository repository, WalstowConfig config,
            Duration rescanEvery, WalstowMetrics metrics) {
        DaemonConfig d = config.daemon();
        RetryConfig r = config.retry();
        Retrier retrier = new Retrier(r);
        ExecutorService pushPool = Executors.newFixedThreadPool(d.pushConcurrency(),
                Thread.ofPlatform().name("walstow-upload-", 0).daemon().factory());
        ExecutorService fetchPool = Executors.newFixedThreadPool(Math.clamp(d.prefetch(), 1, 8) + 1,
                Thread.ofPlatform().name("walstow-download-", 0).daemon().factory());
        WalSegmentSize segmentSize = repository.binding().identity().segmentSize();
        PushService push = new PushService(layout, new ArchivePush(repository), segmentSize,
                retrier.onRetry(() -> metrics.retried("push")),
                new OperationTimeout(pushPool, d.operationTimeout(), repository.location()), d.pushConcurrency(),
                d.waitTimeout(), rescanEvery, new Backoff(r.initialBackoff(), r.maxBackoff()),
                new Backoff(r.maxBackoff(), r.maxBackoff().multipliedBy(30)), metrics);
        FetchService fetch = new FetchService(layout, segmentSize,
                new ArchiveGet(repository), retrier.onRetry(() -> metrics.retried("fetch")),
                new OperationTimeout(fetchPool, d.operationTimeout(), repository.location()), d.prefetch(),
                d.waitTimeout(), d.negativeCacheTtl(), metrics);
        return new ArchiveServices(push, fetch, pushPool, fetchPool);
    }

    /** Abandons attempts still running (the store's create-only publish leaves nothing or a whole object). */
    void stopPools() {
        pushPool.shutdownNow();
        fetchPool.shutdownNow();
    }
}
