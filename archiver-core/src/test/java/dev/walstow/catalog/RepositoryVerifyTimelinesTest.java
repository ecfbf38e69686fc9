package dev.walstow.catalog;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.runtime.Progress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.restore.SyntheticBackup;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** verify's WAL continuity check beyond the backup's own timeline. */
class RepositoryVerifyTimelinesTest {
    private static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    private static final TimelineId T1 = new TimelineId(1);
    private static final TimelineId T2 = new TimelineId(2);
    private static final TimelineId T3 = new TimelineId(3);

    private final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));
    private final Repository repo = new Repository(new InMemoryObjectStore());

    RepositoryVerifyTimelinesTest() {
        repo.writeBinding(RepositoryBinding.of(new ClusterIdentity(7, 15, SIZE), "2026-01-01T00:00:00Z", "test"));
        backup("20260101T000000Z", "0/2000028", "0/3000100"); // on timeline 1, segments 2..3
        segments(T1, 0x02, 0x0A);
    }

    @Test
    @DisplayName("a gap on a later timeline that descends from the backup is reported, named on that timeline")
    void gapOnLaterTimeline() {
        history(T2, "1\t0/A000100\tno recovery target specified\n");
        segments(T2, 0x0A, 0x0C);
        segments(T2, 0x0E, 0x10); // 0D is missing

        List<String> gaps = verify().gaps();

        assertThat(gaps).singleElement().asString().contains("WAL segment 00000002000000000000000D is missing",
                "timeline 2", "backup 20260101T000000Z");
    }

    @Test
    @DisplayName("the path follows two promotions: a gap on the third timeline is found, a whole path passes")
    void followsSeveralPromotions() {
        history(T2, "1\t0/A000100\tno recovery target specified\n");
        history(T3, "1\t0/A000100\tno recovery target specified\n2\t0/C000200\tno recovery target specified\n");
        segments(T2, 0x0A, 0x0C);
        segments(T3, 0x0C, 0x11);
        assertThat(verify().ok()).isTrue();

        segments(T3, 0x13, 0x14); // 12 missing on timeline 3 only
        assertThat(verify().gaps()).singleElement().asString().contains("000000030000000000000012",
                "timeline 3");
    }

    @Test
    @DisplayName("a timeline that branched off before the backup ended is not checked for it")
    void earlierBranchIsNotFollowed() {
        history(T2, "1\t0/2800000\tno recovery target specified\n"); // inside the backup: not its descendant
        segments(T2, 0x02, 0x04);
        segments(T2, 0x06, 0x08); // 05 missing on a timeline this backup cannot reach

        assertThat(verify().gaps()).isEmpty();
    }

    private RepositoryVerify.Report verify() {
        return new RepositoryVerify(BoundRepository.open(repo, codec), new Retrier(new RetryConfig(1, Duration.ofMillis(1),
                Duration.ofMillis(1)))).run(2, Progress.silent());
    }

    private void backup(String label, String start, String stop) {
        ObjectMeta meta = put(BackupLayout.backupLabelKey(label), "START WAL LOCATION: " + start);
        BackupManifest.StoredPart part = new BackupManifest.StoredPart(BackupLayout.backupLabelKey(label), 0,
                meta.plainSize(), meta.sha256());
        BackupCatalog.write(repo, new BackupManifest(BackupManifest.FORMAT, label, "7", 150000, 1, start, stop,
                "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z", SIZE.bytes(), codec.codecName(), part, null,
                Map.of(), List.of(), List.of()));
    }

    private void segments(TimelineId t, long first, long last) {
        for (long n = first; n <= last; n++) {
            SegmentName s = SegmentName.of(t, n, SIZE);
            put(RepositoryLayout.keyOf(s), s.fileName());
        }
    }

    private void history(TimelineId t, String text) {
        WalFileName name = new HistoryName(t);
        put(RepositoryLayout.keyOf(name), text);
    }

    private ObjectMeta put(String key, String text) {
        return SyntheticBackup.put(repo, codec, key, text);
    }
}
