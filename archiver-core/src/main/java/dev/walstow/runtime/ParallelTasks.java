package dev.walstow.runtime;

import dev.walstow.agent.Failures;
import dev.walstow.error.UnexpectedError;
import dev.walstow.error.WalstowException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs tasks on a fixed number of threads and returns their results in order. The first failure cancels everything
 * not yet finished and is rethrown as it was (a {@link WalstowException} keeps its code), so a backup or restore
 * stops at the first real problem instead of carrying on for hours.
 */
public final class ParallelTasks {
    private ParallelTasks() {}

    public static <T> List<T> run(int threads, List<? extends Callable<T>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()),
                Thread.ofPlatform().name("walstow-worker-", 0).daemon().factory());
        try {
            // Completion order, not submission order: a failure of the last task is seen at once.
            CompletionService<T> done = new ExecutorCompletionService<>(pool);
            List<Future<T>> futures = new ArrayList<>(tasks.size());
            for (Callable<T> t : tasks) {
                futures.add(done.submit(t));
            }
            for (int i = 0; i < tasks.size(); i++) {
                await(take(done, futures), futures);
            }
            List<T> results = new ArrayList<>(tasks.size());
            for (Future<T> f : futures) {
                results.add(await(f, futures));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> Future<T> take(CompletionService<T> done, List<Future<T>> all) {
        try {
            return done.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all.forEach(f -> f.cancel(true));
            throw new UnexpectedError("interrupted", e);
        }
    }

    private static <T> T await(Future<T> future, List<Future<T>> all) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all.forEach(f -> f.cancel(true));
            throw new UnexpectedError("interrupted", e);
        } catch (ExecutionException e) {
            all.forEach(f -> f.cancel(true));
            Throwable cause = e.getCause();
            if (cause instanceof WalstowException we) {
                throw we;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new UnexpectedError(Failures.describe(cause), cause);
        }
    }
}
