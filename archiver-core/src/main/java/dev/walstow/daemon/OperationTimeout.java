package dev.walstow.daemon;

import dev.walstow.agent.Failures;
import dev.walstow.error.RepositoryError;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs one repository attempt on a bounded pool and gives up waiting after {@code [daemon] operation-timeout}.
 *
 * <p>Why a pool rather than the caller's thread: a stalled NFS mount blocks in the kernel and cannot be
 * interrupted; the caller must still get an answer. The stalled thread stays occupied, so the pool's size also
 * bounds how many stalled attempts (each holding its codec and write buffers, with S3 also one whole encoded
 * segment) can pile up. A task still queued when its deadline passes never starts
 * ({@link CompletableFuture#supplyAsync} skips completed futures).
 */
final class OperationTimeout {
    private final ExecutorService pool;
    private final Duration limit;
    private final String location;

    OperationTimeout(ExecutorService pool, Duration limit, String location) {
        this.pool = pool;
        this.limit = limit;
        this.location = location;
    }

    <T> T call(String doing, Supplier<T> attempt) {
        CompletableFuture<T> f;
        try {
            f = CompletableFuture.supplyAsync(attempt, pool).orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new RepositoryError(doing + ": the daemon is shutting down", "PostgreSQL will retry", false, e);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new RepositoryError(doing + ": interrupted (the daemon is shutting down)", "PostgreSQL will retry",
                    false, e);
        } catch (CancellationException e) {
            throw new RepositoryError(doing + ": cancelled (the daemon is shutting down)", "PostgreSQL will retry",
                    false, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw RepositoryError.timedOut(doing, location, limit);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(doing + ": " + Failures.describe(cause), cause);
        }
    }
}
