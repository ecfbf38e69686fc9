package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.metrics.RepositoryFacts;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.repo.Repository;
import dev.walstow.storage.ForwardingObjectStore;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.StorageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RepositoryFactsReaderTest {
    private static final Instant T0 = Instant.parse("2026-01-21T12:00:00Z");
    private final CountingStore store = new CountingStore(new InMemoryObjectStore());
    private final Repository repository = new Repository(store);
    private final WalstowMetrics metrics = new WalstowMetrics();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final RepositoryFactsReader reader = new RepositoryFactsReader(repository, "0123456789abcdef", metrics,
            now::get);

    /** A complete backup that ran from {@code start} for {@code minutes}, of 1234 bytes. */
    private static BackupManifest manifest(Instant start, int minutes) {
        return new BackupManifest(BackupManifest.FORMAT, dev.walstow.backup.BackupLayout.labelFor(start), "7",
                150000, 1, "0/2000028", "0/3000100", start.toString(), start.plusSeconds(60L * minutes).toString(),
                16 << 20, "zstd", null, null, Map.of(), List.of(), List.of(
                        new BackupManifest.FileEntry("base/1/1", 1000, "600", List.of()),
                        new BackupManifest.FileEntry("base/1/2", 234, "600", List.of())));
    }

    private RepositoryFacts facts() {
        return metrics.repositoryFacts().orElseThrow();
    }

    @Test
    @DisplayName("an empty repository reads as no backup, no expire, no verify")
    void empty() {
        reader.refresh();
        assertThat(facts()).isEqualTo(new RepositoryFacts(java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty()));
    }

    @Test
    @DisplayName("a backup without a record (taken before records existed) is found in the backups themselves")
    void backupFromTheCatalog() {
        BackupCatalog.write(repository, manifest(T0.minusSeconds(7200), 20));
        reader.refresh();
        assertThat(facts().backup()).hasValueSatisfying(b -> {
            assertThat(b.stoppedAt()).isEqualTo(T0.minusSeconds(7200 - 1200));
            assertThat(b.duration()).isEqualTo(Duration.ofMinutes(20));
            assertThat(b.bytes()).isEqualTo(1234);
            assertThat(b.type()).isEqualTo("full");
        });
    }

    @Test
    @DisplayName("records of backup, expire and verify are read once each; later refreshes only list, until a "
            + "newer record appears")
    void recordsReadOnce() {
        BackupManifest older = manifest(T0.minusSeconds(86_400), 10);
        BackupCatalog.write(repository, older);
        BackupManifest newer = manifest(T0.minusSeconds(3600), 30);
        BackupCatalog.write(repository, newer);
        RunRecords.write(repository, RunRecord.backup(newer, T0.minusSeconds(3600), T0.minusSeconds(1500)));
        RunRecords.write(repository, RunRecord.of(RunRecords.Kind.EXPIRE, T0.minusSeconds(900),
                T0.minusSeconds(800), true, 0, "expire: nothing to delete"));
        String verify = RunRecords.write(repository, RunRecord.of(RunRecords.Kind.VERIFY, T0.minusSeconds(700),
                T0.minusSeconds(600), false, 2, "verify: 2 corrupt"));

        reader.refresh();
        assertThat(facts().backup()).hasValueSatisfying(b -> assertThat(b.label()).isEqualTo(newer.label()));
        assertThat(facts().expire()).contains(new RepositoryFacts.LastRun(T0.minusSeconds(800), true, 0));
        assertThat(facts().verify()).contains(new RepositoryFacts.LastRun(T0.minusSeconds(600), false, 2));
        assertThat(store.calls(verify)).isEqualTo(2); // written, then read

        int before = store.totalCalls();
        now.set(T0.plusSeconds(60));
        reader.refresh();
        assertThat(store.totalCalls()).as("reads after a minute without news").isEqualTo(before);

        RunRecords.write(repository, RunRecord.of(RunRecords.Kind.VERIFY, T0, T0.plusSeconds(100), true, 0, "ok"));
        reader.refresh();
        assertThat(facts().verify()).contains(new RepositoryFacts.LastRun(T0.plusSeconds(100), true, 0));
        assertThat(store.calls(verify)).isEqualTo(2);
    }

    @Test
    @DisplayName("a backup whose record is missing still counts once the hourly look at the backups finds it")
    void newerBackupWithoutRecord() {
        BackupManifest first = manifest(T0.minusSeconds(86_400), 10);
        BackupCatalog.write(repository, first);
        RunRecords.write(repository, RunRecord.backup(first, T0.minusSeconds(86_400), T0.minusSeconds(85_000)));
        reader.refresh();
        BackupManifest unrecorded = manifest(T0.plusSeconds(60), 5);
        BackupCatalog.write(repository, unrecorded);

        now.set(T0.plusSeconds(1800));
        reader.refresh();
        assertThat(facts().backup()).hasValueSatisfying(b -> assertThat(b.label()).isEqualTo(first.label()));
        now.set(T0.plus(RepositoryFactsReader.CATALOG_EVERY));
        reader.refresh();
        assertThat(facts().backup()).hasValueSatisfying(b -> assertThat(b.label()).isEqualTo(unrecorded.label()));
    }

    @Test
    @DisplayName("an unreadable repository keeps the last facts")
    void failureKeepsLastFacts() {
        RunRecords.write(repository, RunRecord.of(RunRecords.Kind.EXPIRE, T0, T0.plusSeconds(5), true, 0, "x"));
        reader.refresh();
        ObjectStore unreachable = new ForwardingObjectStore(new InMemoryObjectStore()) {
            @Override
            public List<String> list(String prefix) throws StorageException {
                throw new StorageException(StorageException.Kind.UNAVAILABLE, "connection refused");
            }
        };
        new RepositoryFactsReader(new Repository(unreachable), "0123456789abcdef", metrics, now::get).refresh();
        assertThat(facts().expire()).contains(new RepositoryFacts.LastRun(T0.plusSeconds(5), true, 0));
    }
}
