package dev.walstow.backup;

import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.SegmentName;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code walstow verify}: decrypts and checksums every object the backups and the WAL archive consist of, in
 * parallel, and checks WAL continuity from each backup's start to the newest segment of its timeline. Reads
 * everything, so it needs the secret key and takes as long as a full restore without the writing.
 */
public final class RepositoryVerify {

    public record Report(int found, List<String> missing, List<String> corrupt, List<String> gaps) {
        public boolean ok() {
            return missing.isEmpty() && corrupt.isEmpty() && gaps.isEmpty();
        }
    }

    private final Repository repository;
    private final WalCodec codec;
    private final Retrier retrier;

    public RepositoryVerify(Repository repository, WalCodec codec, Retrier retrier) {
        this.repository = repository;
        this.codec = codec;
        this.retrier = retrier;
    }

    public Report run(int parallelism, Progress progress) {
        RepositoryBinding binding = retrier.call("reading repository binding", repository::requireBinding);
        WalCatalog catalog = WalCatalog.load(repository, binding.identity().segmentSize());
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
        for (BackupManifest b : backups) {
            long from = b.start().segmentNumber(b.segmentSize());
            long to = Math.max(new dev.walstow.wal.Lsn(b.stop().value() - 1).segmentNumber(b.segmentSize()),
                    catalog.newest(b.timelineId()).orElse(from));
            catalog.firstMissing(TimelineHistory.root(b.timelineId()), from, to).ifPresent(s -> gaps.add(
                    "backup " + b.label() + ": WAL segment " + s + " is missing (checked " + SegmentName.of(
                            b.timelineId(), from, b.segmentSize()) + " to " + SegmentName.of(b.timelineId(), to,
                            b.segmentSize()) + ")"));
        }
        List<String> m = new ArrayList<>(missing);
        List<String> k = new ArrayList<>(corrupt);
        m.sort(null);
        k.sort(null);
        return new Report(checks.size() - m.size() - k.size(), m, k, gaps);
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
            corrupt.add(c.key() + ": unreadable: " + e.getMessage());
        }
    }
}
