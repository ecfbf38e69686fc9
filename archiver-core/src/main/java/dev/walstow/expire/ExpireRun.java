package dev.walstow.expire;

import dev.walstow.archive.Retrier;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.error.RepositoryError;
import dev.walstow.repo.Repository;
import dev.walstow.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries out an {@link ExpirePlan}. Order matters for what a crash leaves behind:
 * <ol>
 *   <li>each expired backup's manifest, then its objects: once the manifest is gone the backup is no longer
 *       "complete" for restore, info or verify, and its leftovers are an aborted backup the next expire removes.
 *       Newest first: a backup is expired only with every backup that builds on it, so deleting those before their
 *       reference never leaves a complete-looking backup whose chain is broken;</li>
 *   <li>then the WAL older than the oldest kept backup: were WAL deleted first, a crash could leave a backup
 *       that still looks complete but whose WAL is gone;</li>
 *   <li>then the directories of aborted backups.</li>
 * </ol>
 * Every step only deletes what the plan names; re-running expire after a crash recomputes the rest.
 *
 * <p>Apart from the plan, {@link #cleanAbandonedUploads} removes what interrupted uploads left in the store: no
 * backup or WAL file refers to it, so it can go at any time once it is old enough not to be an upload in progress.
 */
public final class ExpireRun {
    public record Outcome(int backups, long objects, long walFiles, int failedBackups) {}

    private final Repository repository;
    private final Retrier retrier;
    private final int parallelism;

    public ExpireRun(Repository repository, Retrier retrier, int parallelism) {
        this.repository = repository;
        this.retrier = retrier;
        this.parallelism = parallelism;
    }

    public Outcome execute(ExpirePlan plan) {
        return execute(plan, () -> {});
    }

    /**
     * As {@link #execute(ExpirePlan)}, calling {@code beforeDelete} before every deletion: the repository lock's
     * check ({@code HeldLock.ensureHeld}), which throws once the lock is lost, so a stalled expire whose lock was
     * taken over by a backup stops deleting.
     */
    public Outcome execute(ExpirePlan plan, Runnable beforeDelete) {
        AtomicLong objects = new AtomicLong();
        for (ExpirePlan.Backup b : plan.expired().reversed()) {
            beforeDelete.run();
            delete(b.manifestKey(), objects);
            deleteAll(b.objects(), objects, beforeDelete);
        }
        AtomicLong wal = new AtomicLong();
        deleteAll(plan.wal().stream().flatMap(r -> r.keys().stream()).toList(), wal, beforeDelete);
        for (ExpirePlan.Failed f : plan.failed()) {
            deleteAll(f.keys(), objects, beforeDelete);
        }
        return new Outcome(plan.expired().size(), objects.get(), wal.get(), plan.failed().size());
    }

    private void deleteAll(List<String> keys, AtomicLong counter, Runnable beforeDelete) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (String key : keys) {
            tasks.add(() -> {
                beforeDelete.run();
                delete(key, counter);
                return null;
            });
        }
        ParallelTasks.run(parallelism, tasks);
    }

    /**
     * Removes (or with {@code dryRun} only counts) what uploads interrupted more than {@code olderThan} ago left in
     * the store, see {@link dev.walstow.storage.ObjectStore#cleanAbandonedUploads}.
     */
    public long cleanAbandonedUploads(Duration olderThan, boolean dryRun) {
        return retrier.call("cleaning up abandoned uploads", () -> {
            try {
                return repository.store().cleanAbandonedUploads(olderThan, dryRun);
            } catch (StorageException e) {
                throw RepositoryError.of("cleaning up abandoned uploads in " + repository.location(), e);
            }
        });
    }

    /** Deleting what is already gone is fine: a concurrent or earlier, interrupted expire got there first. */
    private void delete(String key, AtomicLong counter) {
        boolean deleted = retrier.call("deleting " + key, () -> {
            try {
                return repository.store().delete(key);
            } catch (StorageException e) {
                throw RepositoryError.of("deleting " + key + " from " + repository.location(), e);
            }
        });
        if (deleted) {
            counter.incrementAndGet();
        }
    }
}
