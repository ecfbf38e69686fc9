package dev.walstow.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupType;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RepositoryInfoTest {
    private static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    private static final Instant STORED = Instant.parse("2026-01-10T12:00:00Z");

    @Test
    @DisplayName("info gives the newest segment's archive time and age from the store's listing")
    void newestSegmentAge() throws Exception {
        Repository repo = repository(new InMemoryObjectStore(Clock.fixed(STORED, ZoneOffset.UTC)));

        RepositoryInfo info = RepositoryInfo.of(repo, STORED.plusSeconds(754));

        assertThat(info.newestSegment()).isEqualTo("000000010000000000000009");
        assertThat(info.newestSegmentStored()).isEqualTo("2026-01-10T12:00:00Z");
        assertThat(info.newestSegmentAgeSeconds()).isEqualTo(754L);
        assertThat(info.text()).contains("newest archived segment: 000000010000000000000009 (archived "
                + "2026-01-10T12:00:00Z, 12m ago)");
    }

    @Test
    @DisplayName("with a store that cannot tell times, info says so instead of inventing an age")
    void noTimeFromStore() throws Exception {
        InMemoryObjectStore inner = new InMemoryObjectStore();
        // Only the methods every backend has: listWithInfo falls back to the interface default (no times).
        ObjectStore plain = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> method.isDefault()
                        ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
                        : method.invoke(inner, args));
        RepositoryInfo info = RepositoryInfo.of(repository(plain), STORED);

        assertThat(info.newestSegmentAgeSeconds()).isNull();
        assertThat(info.text()).contains("000000010000000000000009 (the store gives no archive time)");
    }

    @Test
    @DisplayName("info gives each backup's type, reference, and changed and stored bytes; an old manifest reads as "
            + "a full without them")
    void backupTypesAndSizes() throws Exception {
        Repository repo = repository(new InMemoryObjectStore(Clock.fixed(STORED, ZoneOffset.UTC)));
        BackupManifest full = manifest("20260110T000000Z", 1, 2);
        BackupCatalog.write(repo, full);
        BackupCatalog.write(repo, manifest("20260110T060000Z", 3, 4).withChain(BackupType.INCR, full.label(), 8192,
                "page-scan", new BackupManifest.Stats(16_384_000, 40_960, 81_920)));

        RepositoryInfo info = RepositoryInfo.of(repo, STORED);

        assertThat(info.backups()).extracting(RepositoryInfo.Backup::type).containsExactly("full", "incr");
        RepositoryInfo.Backup incr = info.backups().get(1);
        assertThat(incr.reference()).isEqualTo(full.label());
        assertThat(incr.readBytes()).isEqualTo(16_384_000L);
        assertThat(incr.storedBytes()).isEqualTo(40_960L);
        assertThat(incr.changedBytes()).isEqualTo(81_920L);
        RepositoryInfo.Backup old = info.backups().getFirst();
        assertThat(old.reference()).isNull();
        assertThat(old.storedBytes()).isNull();
        assertThat(info.text()).contains("  20260110T000000Z  full  timeline 1  ")
                .contains("  20260110T060000Z  incr of 20260110T000000Z  timeline 1  ")
                .contains("16,384,000 bytes in 1 files, 81,920 changed, 40,960 stored\n")
                .contains("16,384,000 bytes in 1 files\n");
    }

    /** A format 1 manifest: a full without type, reference or stats, of one 16,384,000-byte file. */
    private static BackupManifest manifest(String label, long start, long stop) {
        String started = BackupLayout.startOf(label).toString();
        BackupManifest.StoredPart part = new BackupManifest.StoredPart(BackupLayout.backupLabelKey(label), 0, 0, "0");
        return new BackupManifest(1, label, "7", 150000, 1, SegmentName.of(new TimelineId(1), start, SIZE)
                .startLsn(SIZE).toString(), SegmentName.of(new TimelineId(1), stop, SIZE).startLsn(SIZE).toString(),
                started, started, SIZE.bytes(), "zstd", part, null, Map.of(), List.of(),
                List.of(new BackupManifest.FileEntry("base/5/1", 16_384_000, "600", List.of(part))));
    }

    private static Repository repository(ObjectStore store) throws Exception {
        Repository repo = new Repository(store);
        repo.writeBinding(RepositoryBinding.of(new ClusterIdentity(7, 15, SIZE), "2026-01-01T00:00:00Z", "test"));
        for (long n = 1; n <= 9; n++) {
            store.putIfAbsent(RepositoryLayout.keyOf(SegmentName.of(new TimelineId(1), n, SIZE)), new byte[0],
                    ObjectMeta.ofPlain(new byte[0]));
        }
        return repo;
    }
}
