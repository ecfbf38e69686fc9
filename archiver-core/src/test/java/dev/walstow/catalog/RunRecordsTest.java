package dev.walstow.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.repo.Repository;
import dev.walstow.storage.InMemoryObjectStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunRecordsTest {
    private static final Instant T0 = Instant.parse("2026-01-21T14:00:00Z");
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final Repository repository = new Repository(store);

    private static RunRecord verify(Instant finished, boolean ok, long problems) {
        return RunRecord.of(RunRecords.Kind.VERIFY, finished.minusSeconds(60), finished, ok, problems, "verify: test");
    }

    @Test
    @DisplayName("a record is stored under its kind, named by when it finished, and reads back as written")
    void writtenAndRead() {
        RunRecord record = verify(T0, false, 3);
        String key = RunRecords.write(repository, record);
        assertThat(key).isEqualTo("status/verify/20260121T140000.000Z.json");
        assertThat(RunRecords.read(repository, key)).contains(record);
    }

    @Test
    @DisplayName("two runs finishing in the same millisecond both keep their record; the one written last is newest")
    void sameMillisecond() {
        RunRecords.write(repository, verify(T0, true, 0));
        String second = RunRecords.write(repository, verify(T0, false, 1));
        assertThat(second).isEqualTo("status/verify/20260121T140000.001Z.json");
        Map<RunRecords.Kind, String> newest = RunRecords.newest(RunRecords.list(repository));
        assertThat(newest).containsEntry(RunRecords.Kind.VERIFY, second);
        assertThat(RunRecords.read(repository, second)).hasValueSatisfying(r -> assertThat(r.ok()).isFalse());
    }

    @Test
    @DisplayName("each kind keeps only its newest records, and the newest of each kind is found in one listing")
    void prunedPerKind() throws Exception {
        for (int i = 0; i < RunRecords.KEEP + 5; i++) {
            RunRecords.write(repository, verify(T0.plusSeconds(3600L * i), true, 0));
        }
        RunRecords.write(repository, RunRecord.of(RunRecords.Kind.EXPIRE, T0, T0.plusSeconds(5), true, 0, "x"));
        List<String> verifies = store.list("status/verify/");
        assertThat(verifies).hasSize(RunRecords.KEEP).first().isEqualTo("status/verify/20260121T190000.000Z.json");
        assertThat(RunRecords.newest(RunRecords.list(repository))).containsOnly(
                Map.entry(RunRecords.Kind.VERIFY, "status/verify/20260122T040000.000Z.json"),
                Map.entry(RunRecords.Kind.EXPIRE, "status/expire/20260121T140005.000Z.json"));
    }

    @Test
    @DisplayName("a backup record carries its manifest's label, times, size and type")
    void backupRecord() {
        var manifest = new dev.walstow.backup.BackupManifest(dev.walstow.backup.BackupManifest.FORMAT,
                "20260121T130000Z", "7", 150000, 1, "0/2000028", "0/3000100", "2026-01-21T13:00:00Z",
                "2026-01-21T13:20:30Z", 16 << 20, "zstd", null, null, Map.of(), List.of(), List.of(
                        new dev.walstow.backup.BackupManifest.FileEntry("base/1/1", 1000, "600", List.of()),
                        new dev.walstow.backup.BackupManifest.FileEntry("base/1/2", 234, "600", List.of())));
        RunRecord record = RunRecord.backup(manifest, T0.minusSeconds(4000), T0);
        String key = RunRecords.write(repository, record);
        assertThat(key).startsWith("status/backup/");
        RunRecord.Backup b = RunRecords.read(repository, key).orElseThrow().backup();
        assertThat(b.label()).isEqualTo("20260121T130000Z");
        assertThat(b.type()).isEqualTo("full");
        assertThat(b.bytes()).isEqualTo(1234);
        assertThat(b.files()).isEqualTo(2);
        assertThat(b.stopInstant()).isEqualTo(Instant.parse("2026-01-21T13:20:30Z"));
        assertThat(b.duration()).hasSeconds(20 * 60 + 30);

        RunRecord incr = RunRecord.backup(manifest.withChain(dev.walstow.backup.BackupType.INCR, "20260121T010000Z",
                8192, "page-scan", null), T0.minusSeconds(4000), T0);
        assertThat(incr.backup().type()).as("the type the metrics' label shows").isEqualTo("incr");
    }

    @Test
    @DisplayName("keys that are not records (a stray file, an unknown kind) are never taken for the newest")
    void strayKeysIgnored() {
        assertThat(RunRecords.newest(List.of("status/verify/notes.txt", "status/other/20260121T140000.000Z.json",
                "status/verify/20260121T140000.000Z.json"))).containsOnly(
                        Map.entry(RunRecords.Kind.VERIFY, "status/verify/20260121T140000.000Z.json"));
    }
}
