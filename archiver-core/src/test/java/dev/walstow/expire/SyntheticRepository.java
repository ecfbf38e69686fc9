package dev.walstow.expire;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupType;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.wal.BackupHistoryName;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A repository in memory with backups and WAL made up for a test: manifests as {@code walstow backup} writes them
 * (fulls, and differential and incremental backups naming their reference), empty objects, and a clock that sets
 * each object's stored time.
 */
final class SyntheticRepository {
    static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    static final TimelineId T1 = new TimelineId(1);
    static final TimelineId T2 = new TimelineId(2);
    private static final ObjectMeta EMPTY = ObjectMeta.ofPlain(new byte[0]);

    final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final InMemoryObjectStore store = new InMemoryObjectStore(clock);
    final Repository repository = new Repository(store);

    SyntheticRepository() {
        repository.writeBinding(RepositoryBinding.of(new ClusterIdentity(7, 15, SIZE), "2026-01-01T00:00:00Z", "test"));
    }

    /** A complete full on {@code tli} from segment {@code start} to {@code stop}, stopped at {@code stopTime}. */
    BackupManifest backup(TimelineId tli, long start, long stop, String stopTime) {
        return write(manifest(tli, start, stop, stopTime));
    }

    /** A complete differential backup of {@code full}, on its timeline. */
    BackupManifest diff(BackupManifest full, long start, long stop, String stopTime) {
        return chained(BackupType.DIFF, full, start, stop, stopTime);
    }

    /** A complete incremental backup of {@code reference}, on its timeline. */
    BackupManifest incr(BackupManifest reference, long start, long stop, String stopTime) {
        return chained(BackupType.INCR, reference, start, stop, stopTime);
    }

    /** Two chains of {@link #twoChains}, oldest first. */
    record Chains(BackupManifest full1, BackupManifest incr1, BackupManifest incr2, BackupManifest full2,
            BackupManifest incr3) {}

    /** full1 → incr1 → incr2, then full2 → incr3, stopped a day apart from 2026-01-01 (full2 on the 5th); WAL. */
    Chains twoChains() {
        BackupManifest full1 = backup(T1, 0x02, 0x03, "2026-01-01T00:00:00Z");
        BackupManifest incr1 = incr(full1, 0x04, 0x05, "2026-01-02T00:00:00Z");
        BackupManifest incr2 = incr(incr1, 0x06, 0x07, "2026-01-03T00:00:00Z");
        BackupManifest full2 = backup(T1, 0x08, 0x09, "2026-01-05T00:00:00Z");
        BackupManifest incr3 = incr(full2, 0x0A, 0x0B, "2026-01-06T00:00:00Z");
        segments(T1, 0x02, 0x10);
        return new Chains(full1, incr1, incr2, full2, incr3);
    }

    /** Removes a backup's manifest only, as a half-done deletion would: every backup built on it is broken. */
    void deleteManifest(BackupManifest backup) {
        try {
            store.delete(BackupLayout.manifestKey(backup.label()));
        } catch (dev.walstow.storage.StorageException e) {
            throw new AssertionError(e);
        }
    }

    private BackupManifest chained(BackupType type, BackupManifest reference, long start, long stop,
            String stopTime) {
        BackupManifest m = manifest(reference.timelineId(), start, stop, stopTime);
        return write(m.withChain(type, reference.label(), 8192, "page-scan",
                new BackupManifest.Stats(1000, 100, 200)));
    }

    private BackupManifest manifest(TimelineId tli, long start, long stop, String stopTime) {
        Instant stopped = Instant.parse(stopTime);
        String label = BackupLayout.labelFor(stopped.minusSeconds(600));
        clock.set(stopped);
        String startLsn = SegmentName.of(tli, start, SIZE).startLsn(SIZE).plus(0x28).toString();
        String stopLsn = SegmentName.of(tli, stop, SIZE).startLsn(SIZE).plus(0x100).toString();
        BackupManifest.StoredPart labelPart = new BackupManifest.StoredPart(BackupLayout.backupLabelKey(label), 0, 0,
                EMPTY.sha256());
        BackupManifest.StoredPart data = new BackupManifest.StoredPart(BackupLayout.partKey(label, 0, 0), 0, 0,
                EMPTY.sha256());
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT, label, "7", 150000, tli.value(), startLsn,
                stopLsn, stopped.minusSeconds(600).toString(), stopTime, SIZE.bytes(), "zstd", labelPart, null,
                Map.of(), List.of(), List.of(new BackupManifest.FileEntry("PG_VERSION", 0, "600", List.of(data))));
        put(labelPart.key());
        put(data.key());
        put(RepositoryLayout.keyOf(new BackupHistoryName(SegmentName.of(tli, start, SIZE), 0x28)));
        return m;
    }

    private BackupManifest write(BackupManifest m) {
        try {
            byte[] json = new ObjectMapper().writeValueAsBytes(m);
            store.putIfAbsent(BackupLayout.manifestKey(m.label()), json, ObjectMeta.ofPlain(json));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    /** Objects of a backup that never wrote its manifest, stored at {@code storedAt}. */
    void abortedBackup(String label, String storedAt) {
        clock.set(Instant.parse(storedAt));
        put(BackupLayout.backupLabelKey(label));
        put(BackupLayout.partKey(label, 0, 0));
        put(BackupLayout.partKey(label, 1, 0));
    }

    void segments(TimelineId tli, long first, long last) {
        for (long n = first; n <= last; n++) {
            put(RepositoryLayout.keyOf(SegmentName.of(tli, n, SIZE)));
        }
    }

    void partial(TimelineId tli, long n) {
        put(RepositoryLayout.keyOf(new PartialName(SegmentName.of(tli, n, SIZE))));
    }

    void history(TimelineId tli) {
        put(RepositoryLayout.keyOf(new HistoryName(tli)));
    }

    static String key(WalFileName name) {
        return RepositoryLayout.keyOf(name);
    }

    static String segmentKey(TimelineId tli, long n) {
        return key(SegmentName.of(tli, n, SIZE));
    }

    List<String> keys(String prefix) throws Exception {
        return store.list(prefix);
    }

    private void put(String key) {
        try {
            store.putIfAbsent(key, new byte[0], EMPTY);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A clock a test moves by hand. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
