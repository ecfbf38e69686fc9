package dev.walstow.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.TimelineHistory;
import dev.walstow.catalog.WalCatalog;
import dev.walstow.error.DataError;
import dev.walstow.error.UserError;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RestorePlanTest {
    private static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    private static final TimelineId T1 = new TimelineId(1);
    private static final TimelineId T2 = new TimelineId(2);

    // Backup A: segments 2..3, stopped 10:00. Backup B: segments 8..9, stopped 12:00.
    private static final BackupManifest A = backup("20260101T095000Z", "0/2000028", "0/3000100", "2026-01-01T10:00:00Z");
    private static final BackupManifest B = backup("20260101T115000Z", "0/8000028", "0/9000100", "2026-01-01T12:00:00Z");

    @Test
    @DisplayName("a time target picks the newest backup that stopped before it")
    void timeTargetPicksNewestBackupBefore() {
        WalCatalog catalog = catalog(T1, 2, 12);
        assertThat(plan(catalog, target(RecoveryTarget.Kind.TIME, "2026-01-01 11:00:00+00")).backup()).isEqualTo(A);
        assertThat(plan(catalog, target(RecoveryTarget.Kind.TIME, "2026-01-01T12:00:01Z")).backup()).isEqualTo(B);
        assertThatThrownBy(() -> plan(catalog, target(RecoveryTarget.Kind.TIME, "2026-01-01 09:00:00+00")))
                .isInstanceOf(UserError.class).hasMessageContaining("no backup finished before");
    }

    @Test
    @DisplayName("a time target needs every segment up to the newest archived one; the first gap is named")
    void timeTargetNeedsWalToNewest() {
        RestorePlan plan = plan(catalog(T1, 2, 12), target(RecoveryTarget.Kind.TIME, "2026-01-01 11:00:00+00"));
        assertThat(plan.first()).hasToString("000000010000000000000002");
        assertThat(plan.last()).hasToString("00000001000000000000000C");

        WalCatalog gap = catalog(T1, 2, 12, 5);
        assertThatThrownBy(() -> plan(gap, target(RecoveryTarget.Kind.TIME, "2026-01-01 11:00:00+00")))
                .isInstanceOf(DataError.class).hasMessageContaining("lacks WAL segment 000000010000000000000005");
    }

    @Test
    @DisplayName("an LSN or immediate target needs WAL only up to that point, so a later gap does not matter")
    void exactTargetsIgnoreLaterGaps() {
        WalCatalog gap = catalog(T1, 2, 12, 7);
        assertThat(plan(gap, target(RecoveryTarget.Kind.LSN, "0/6000000")).last())
                .hasToString("000000010000000000000006");
        RestorePlan immediate = plan(gap, new RecoveryTarget(RecoveryTarget.Kind.IMMEDIATE, "", "latest",
                Optional.empty()));
        assertThat(immediate.backup()).isEqualTo(B);
        assertThat(immediate.last()).hasToString("000000010000000000000009");
    }

    @Test
    @DisplayName("an LSN target past the newest archived segment says where the archive ends, not that WAL is missing")
    void lsnPastTheArchiveEnd() {
        assertThatThrownBy(() -> plan(catalog(T1, 2, 12), target(RecoveryTarget.Kind.LSN, "0/20000000")))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.oneLine()).startsWith("[WS-USAGE] the "
                        + "archive ends at LSN 0/D000000 (its newest segment on the path to timeline 1 is "
                        + "00000001000000000000000C); the target LSN 0/20000000 is past it"));
        assertThat(plan(catalog(T1, 2, 12), target(RecoveryTarget.Kind.LSN, "0/CFFFFFF")).last())
                .hasToString("00000001000000000000000C");
        // A gap before the end is still a gap.
        assertThatThrownBy(() -> plan(catalog(T1, 2, 12, 10), target(RecoveryTarget.Kind.LSN, "0/20000000")))
                .isInstanceOf(DataError.class).hasMessageContaining("lacks WAL segment 00000001000000000000000A");
    }

    @Test
    @DisplayName("across a promotion, segments before the switch come from the old timeline, after it from the new")
    void followsTimelineHistory() {
        WalCatalog catalog = catalogOf(Map.of(T1, range(2, 10), T2, range(10, 14)), List.of(T2));
        TimelineHistory h2 = TimelineHistory.parse(T2, "1\t0/A000100\tno recovery target specified\n");
        RestorePlan plan = RestorePlan.make(List.of(A), catalog, target(RecoveryTarget.Kind.TIME,
                "2026-01-01 11:00:00+00"), Optional.empty(), t -> t.equals(T2) ? h2 : TimelineHistory.root(t));
        assertThat(plan.history().target()).isEqualTo(T2);
        assertThat(plan.last()).hasToString("00000002000000000000000E");

        WalCatalog missingOnNew = catalogOf(Map.of(T1, range(2, 12), T2, List.of(10L, 11L, 13L)), List.of(T2));
        assertThatThrownBy(() -> RestorePlan.make(List.of(A), missingOnNew, target(RecoveryTarget.Kind.TIME,
                "2026-01-01 11:00:00+00"), Optional.empty(), t -> t.equals(T2) ? h2 : TimelineHistory.root(t)))
                .hasMessageContaining("lacks WAL segment 00000002000000000000000C");
    }

    @Test
    @DisplayName("recovery settings are quoted as postgresql.conf parses them")
    void settingsAreQuoted() {
        RecoveryTarget t = new RecoveryTarget(RecoveryTarget.Kind.NAME, "it's \\here", "2", Optional.of("promote"));
        assertThat(t.settings()).containsExactly("recovery_target_name = 'it''s \\\\here'",
                "recovery_target_timeline = '2'", "recovery_target_action = 'promote'");
        assertThatThrownBy(() -> target(RecoveryTarget.Kind.TIME, "2026-01-01 11:00:00"))
                .isInstanceOf(UserError.class).hasMessageContaining("UTC offset");
    }

    private static RestorePlan plan(WalCatalog catalog, RecoveryTarget target) {
        return RestorePlan.make(List.of(A, B), catalog, target, Optional.empty(), TimelineHistory::root);
    }

    private static RecoveryTarget target(RecoveryTarget.Kind kind, String value) {
        return new RecoveryTarget(kind, value, "latest", Optional.empty());
    }

    private static List<Long> range(long first, long last) {
        return java.util.stream.LongStream.rangeClosed(first, last).boxed().toList();
    }

    /** Segments first..last on {@code tli}, except {@code missing}. */
    private static WalCatalog catalog(TimelineId tli, long first, long last, long... missing) {
        List<Long> numbers = range(first, last).stream()
                .filter(n -> java.util.Arrays.stream(missing).noneMatch(m -> m == n)).toList();
        return catalogOf(Map.of(tli, numbers), List.of());
    }

    private static WalCatalog catalogOf(Map<TimelineId, List<Long>> segments, List<TimelineId> histories) {
        Repository repo = new Repository(new InMemoryObjectStore());
        ObjectMeta meta = ObjectMeta.ofPlain(new byte[0]);
        try {
            for (var e : segments.entrySet()) {
                for (long n : e.getValue()) {
                    repo.store().putIfAbsent(RepositoryLayout.keyOf(SegmentName.of(e.getKey(), n, SIZE)), new byte[0],
                            meta);
                }
            }
            for (TimelineId h : histories) {
                repo.store().putIfAbsent(RepositoryLayout.keyOf(new dev.walstow.wal.HistoryName(h)), new byte[0],
                        meta);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return WalCatalog.load(repo, SIZE);
    }

    private static BackupManifest backup(String label, String start, String stop, String stopTime) {
        BackupManifest.StoredPart none = new BackupManifest.StoredPart("backup/" + label + "/backup_label", 0, 0,
                "0".repeat(64));
        return new BackupManifest(BackupManifest.FORMAT, label, "1", 150000, 1, start, stop, stopTime, stopTime,
                SIZE.bytes(), "zstd", none, null, Map.of(), List.of(), List.of());
    }
}
