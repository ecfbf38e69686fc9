package dev.walstow.catalog;

import dev.walstow.agent.Failures;
import dev.walstow.backup.BackupManifest;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code walstow verify}: decrypts and checksums every object the backups and the WAL archive consist of, in
 * parallel, and checks WAL continuity from each backup's start to the newest segment of its own timeline and of
 * every later timeline descending from it (history files followed). Reads everything, so it needs the secret key
 * and takes as long as a full restore without the writing.
 *
 * <p>Each object is checked with one read, a failure reported as such; the history files the continuity check follows
 * are read through {@link TimelineHistories}, whose reads {@code retrier} repeats.
 */
public final class RepositoryVerify {

    public record Report(int found, List<String> missing, List<String> corrupt, List<String> gaps) {
        public boolean ok() {
            return missing.isEmpty() && corrupt.isEmpty() && gaps.isEmpty();
        }
    }

    private final BoundRepository bound;
    private final Repository repository;
    private final WalCodec codec;
    private final Retrier retrier;

    public RepositoryVerify(BoundRepository repository, Retrier retrier) {
        this.bound = repository;
        this.repository = repository.repository();
        this.codec = repository.codec();
        this.retrier = retrier;
    }

    public Report run(int parallelism, Progress progress) {
        WalCatalog catalog = WalCatalog.load(repository, bound.binding().identity().segmentSize());
        List<BackupManifest> backups = BackupCatalog.load(repository);
        List<Check> checks = new ArrayList<>();
        for (BackupManifest b : backups) {
            b.allParts().forEach(p -> checks.add(new Check(p.key(), Optional.of(p.sha256()), p.size())));
        }
        catalog.allKeys().values().forEach(k -> checks.add(new Check(k, Optional.empty(), -1)));
        List<String> missing = Collections.synchronizedList(new ArrayList<>());
        List<String> corrupt = Collections.synchronizedList(new ArrayList<>());
        progress.start(checks.stream().mapToLong(c -> Math.max(0, c.size())).sum());
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Check c : checks) {
            tasks.add(() -> {
                check(c, missing, corrupt);
                progress.add(Math.max(0, c.size()));
                return null;
            });
        }
        ParallelTasks.run(parallelism, tasks);
        List<String> gaps = new ArrayList<>();
        TimelineHistories histories = new TimelineHistories(bound, retrier, catalog);
        for (BackupManifest b : backups) {
            gaps.addAll(continuity(b, catalog, histories, corrupt));
        }
        List<String> m = new ArrayList<>(missing);
        List<String> k = new ArrayList<>(corrupt);
        m.sort(null);
        k.sort(null);
        return new Report(checks.size() - m.size() - k.size(), m, k, gaps);
    }

    /**
     * WAL continuity from a backup's start along every timeline that descends from it (its own, and each later one
     * whose history file branches off it after the backup's stop), to the newest segment on that timeline's path:
     * what a restore to {@code latest} or to that timeline would need. One line per missing segment.
     */
    static List<String> continuity(BackupManifest b, WalCatalog catalog, TimelineHistories histories,
            List<String> corrupt) {
        long from = b.start().segmentNumber(b.segmentSize());
        long stop = new Lsn(b.stop().value() - 1).segmentNumber(b.segmentSize());
        List<String> gaps = new ArrayList<>();
        java.util.Set<SegmentName> reported = new java.util.HashSet<>();
        for (TimelineId t : catalog.timelines().tailSet(b.timelineId(), true)) {
            TimelineHistory history;
            try {
                history = histories.of(t);
            } catch (WalstowException e) {
                String problem = "history of timeline " + t.value() + ": " + e.getMessage();
                if (!corrupt.contains(problem)) { // verify reports a bad history file and goes on
                    corrupt.add(problem);
                }
                continue;
            }
            if (!history.includes(b.timelineId(), b.stop())) {
                continue; // branched off before this backup ended: a restore of it cannot go there
            }
            long to = Math.max(stop, catalog.newestOnPath(history));
            catalog.firstMissing(history, from, to).filter(reported::add).ifPresent(s -> gaps.add("backup "
                    + b.label() + ": WAL segment " + s + " is missing (timeline " + t.value() + ": checked "
                    + SegmentName.of(b.timelineId(), from, b.segmentSize()) + " to "
                    + SegmentName.of(t, to, b.segmentSize()) + ")"));
        }
        return gaps;
    }

    private record Check(String key, Optional<String> expectedSha, long size) {}

    private void check(Check c, List<String> missing, List<String> corrupt) {
        try {
            Optional<StoredObject> object = repository.store().get(c.key());
            if (object.isEmpty()) {
                missing.add(c.key());
                return;
            }
            try (StoredObject o = object.get()) {
                ObjectMeta meta = o.meta();
                CodecResult r = codec.decode(o.content(), OutputStream.nullOutputStream());
                String expected = c.expectedSha().orElse(meta.sha256());
                if (!r.sha256Hex().equals(expected) || !r.sha256Hex().equals(meta.sha256())) {
                    corrupt.add(c.key() + ": sha256 " + r.sha256Hex() + ", expected " + expected);
                }
            }
        } catch (StorageException e) {
            corrupt.add(c.key() + ": unreadable: " + e.getMessage());
        } catch (WalstowException e) {
            corrupt.add(c.key() + ": " + e.getMessage());
        } catch (java.io.IOException e) {
            corrupt.add(c.key() + ": unreadable: " + Failures.describe(e));
        }
    }
}
