package dev.walstow.expire;

import static dev.walstow.expire.SyntheticRepository.SIZE;
import static dev.walstow.expire.SyntheticRepository.T1;
import static dev.walstow.expire.SyntheticRepository.T2;
import static dev.walstow.expire.SyntheticRepository.segmentKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.error.UserError;
import dev.walstow.wal.BackupHistoryName;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExpirePlannerTest {
    private static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    private final SyntheticRepository repo = new SyntheticRepository();
    // Four backups on timeline 1, two days apart, with WAL from the first one's start to beyond the last one.
    private final BackupManifest a = repo.backup(T1, 0x02, 0x03, "2026-01-02T00:00:00Z");
    private final BackupManifest b = repo.backup(T1, 0x08, 0x09, "2026-01-04T00:00:00Z");
    private final BackupManifest c = repo.backup(T1, 0x10, 0x11, "2026-01-06T00:00:00Z");
    private final BackupManifest d = repo.backup(T1, 0x18, 0x19, "2026-01-08T00:00:00Z");

    {
        repo.segments(T1, 0x02, 0x20);
    }

    @Test
    @DisplayName("a window starting exactly at a backup's stop keeps the backup before it: restore needs a stop before the target")
    void windowStartAtStopTimeKeepsTheOneBefore() {
        ExpirePlan plan = plan(0, Duration.ofDays(4)); // window starts 2026-01-06T00:00:00Z, c's stop time

        assertThat(labels(plan.kept())).containsExactly(b.label(), c.label(), d.label());
        assertThat(labels(plan.expired())).containsExactly(a.label());
        assertThat(plan.kept().getFirst().reason()).contains("newest backup that stopped before the window's start");
    }

    @Test
    @DisplayName("a window starting a second after a backup's stop keeps that backup and everything after, nothing older")
    void windowStartAfterStopTimeKeepsThatBackup() {
        ExpirePlan plan = plan(0, Duration.ofDays(4).minusSeconds(1));

        assertThat(labels(plan.kept())).containsExactly(c.label(), d.label());
        assertThat(labels(plan.expired())).containsExactly(a.label(), b.label());
        assertThat(plan.walCutoff()).startsWith(c.startLsn());
        // WAL before c's start goes: segments 2..F and the .backup files of a and b, in one run.
        assertThat(plan.wal()).singleElement().satisfies(r -> {
            assertThat(r.first()).isEqualTo("000000010000000000000002");
            assertThat(r.last()).isEqualTo("00000001000000000000000F");
            assertThat(r.keys()).hasSize(14 + 2).contains(key(new BackupHistoryName(a.startSegment(), 0x28)))
                    .doesNotContain(segmentKey(T1, 0x10), key(new BackupHistoryName(c.startSegment(), 0x28)));
        });
    }

    @Test
    @DisplayName("a window longer than the oldest backup keeps every backup and all WAL from the oldest's start")
    void windowOlderThanEveryBackupKeepsAll() {
        ExpirePlan plan = plan(0, Duration.ofDays(30));

        assertThat(labels(plan.kept())).containsExactly(a.label(), b.label(), c.label(), d.label());
        assertThat(plan.kept().getFirst().reason()).contains("no restorable backup stopped before the window's start");
        assertThat(plan.nothingToDo()).isTrue();
        assertThat(plan.text("would delete")).contains("nothing to delete");
    }

    @Test
    @DisplayName("retention-full keeps exactly the newest N full backups and WAL from the oldest of them")
    void countRetention() throws Exception {
        ExpirePlan plan = plan(2, Duration.ZERO);

        assertThat(labels(plan.kept())).containsExactly(c.label(), d.label());
        assertThat(labels(plan.expired())).containsExactly(a.label(), b.label());
        ExpirePlan.Backup expiredA = plan.expired().getFirst();
        assertThat(expiredA.manifestKey()).isEqualTo(BackupLayout.manifestKey(a.label()));
        assertThat(expiredA.objects()).containsExactlyInAnyOrderElementsOf(repo.keys(BackupLayout.directory(a.label()))
                .stream().filter(k -> !k.endsWith("manifest.json")).toList());
        assertThat(plan.expired().get(1).reason()).contains("older than the newest 2 full backups (retention-full)");
        assertThat(plan(4, Duration.ZERO).nothingToDo()).isTrue();
        assertThat(plan(9, Duration.ZERO).kept()).hasSize(4);
    }

    @Test
    @DisplayName("with both rules a backup is kept if either keeps it")
    void bothRulesKeepTheUnion() {
        // Count keeps b, c, d; the window (from 2026-01-09) only needs d.
        assertThat(labels(plan(3, DAY).kept())).containsExactly(b.label(), c.label(), d.label());
        // Count keeps d; the window (from 2026-01-04T00:00:01) needs b, c, d.
        assertThat(labels(plan(1, Duration.ofDays(6).minusSeconds(1)).kept()))
                .containsExactly(b.label(), c.label(), d.label());
        assertThat(plan(1, DAY).kept().getFirst().reason()).contains("retention-full", "window");
    }

    @Test
    @DisplayName("across a promotion: WAL from the oldest kept start stays on every timeline; history files always stay")
    void timelines() throws Exception {
        SyntheticRepository r = new SyntheticRepository();
        BackupManifest old = r.backup(T1, 0x02, 0x03, "2026-01-02T00:00:00Z");
        BackupManifest beforeSwitch = r.backup(T1, 0x08, 0x09, "2026-01-04T00:00:00Z");
        BackupManifest afterSwitch = r.backup(T2, 0x14, 0x15, "2026-01-06T00:00:00Z");
        r.segments(T1, 0x02, 0x11);
        r.partial(T1, 0x12); // the old timeline's last segment, archived at promotion
        r.history(T2);
        r.segments(T2, 0x12, 0x18);

        // Keeping the backup from before the switch keeps timeline 1 from its start and all of timeline 2.
        ExpirePlan two = ExpirePlanner.plan(r.repository, new RetentionPolicy(2, Duration.ZERO, DAY), NOW);
        assertThat(labels(two.kept())).containsExactly(beforeSwitch.label(), afterSwitch.label());
        assertThat(two.wal()).singleElement().satisfies(run -> {
            assertThat(run.timeline()).isEqualTo(T1);
            assertThat(run.last()).isEqualTo("000000010000000000000007");
        });

        // Keeping only the backup on timeline 2: WAL before its start goes on both timelines, the history stays.
        ExpirePlan one = ExpirePlanner.plan(r.repository, new RetentionPolicy(1, Duration.ZERO, DAY), NOW);
        assertThat(labels(one.expired())).containsExactly(old.label(), beforeSwitch.label());
        List<String> doomed = one.wal().stream().flatMap(run -> run.keys().stream()).toList();
        assertThat(doomed).contains(segmentKey(T1, 0x11), key(new PartialName(SegmentName.of(T1, 0x12, SIZE))),
                segmentKey(T2, 0x12), segmentKey(T2, 0x13))
                .doesNotContain(segmentKey(T2, 0x14), key(new HistoryName(T2)));
        assertThat(one.wal()).extracting(ExpirePlan.WalRun::timeline).containsExactly(T1, T2);
    }

    @Test
    @DisplayName("a repository without a complete backup loses no WAL, whatever the rules say")
    void noBackupNoWalDeleted() {
        SyntheticRepository r = new SyntheticRepository();
        r.segments(T1, 1, 40);
        ExpirePlan plan = ExpirePlanner.plan(r.repository, new RetentionPolicy(1, DAY, DAY), NOW);

        assertThat(plan.walCutoff()).isNull();
        assertThat(plan.nothingToDo()).isTrue();
        assertThat(plan.text("delete")).contains("keep all WAL");
    }

    @Test
    @DisplayName("a backup without manifest is removed only once its start and its newest object are older than the safety age")
    void abortedBackups() {
        repo.abortedBackup("20260105T000000Z", "2026-01-05T00:10:00Z"); // aborted days ago
        repo.abortedBackup("20260109T120000Z", "2026-01-09T12:10:00Z"); // started 12 h ago: may be running
        repo.abortedBackup("20260107T000000Z", "2026-01-09T23:00:00Z"); // started long ago, but stored 1 h ago

        ExpirePlan plan = plan(4, Duration.ZERO);

        assertThat(plan.failed()).extracting(ExpirePlan.Failed::label).containsExactly("20260105T000000Z");
        assertThat(plan.failed().getFirst().keys()).hasSize(3);
        assertThat(plan.leftFailed()).extracting(ExpirePlan.Failed::label)
                .containsExactly("20260107T000000Z", "20260109T120000Z");
        assertThat(plan.text("would delete")).contains("would delete failed backup 20260105T000000Z")
                .contains("leave backup 20260109T120000Z without manifest");
        assertThat(plan(4, Duration.ZERO, Duration.ofDays(6)).failed()).isEmpty();
    }

    @Test
    @DisplayName("no rule at all is refused rather than read as keep everything or delete everything")
    void noRuleIsRefused() {
        assertThatThrownBy(() -> new RetentionPolicy(0, Duration.ZERO, DAY)).isInstanceOf(UserError.class)
                .hasMessageContaining("no retention is configured");
    }

    @Test
    @DisplayName("the dry-run text names every backup and WAL run to delete, and why")
    void textNamesEverything() {
        String text = plan(0, Duration.ofDays(4).minusSeconds(1)).text("would delete");
        assertThat(text).contains("would delete backup " + a.label(), "would delete backup " + b.label(),
                "keep backup " + c.label(), "keep backup " + d.label(),
                "would delete WAL timeline 1: 000000010000000000000002 .. 00000001000000000000000F (16 files)",
                "already covers the window");
    }

    private ExpirePlan plan(int full, Duration window) {
        return plan(full, window, DAY);
    }

    private ExpirePlan plan(int full, Duration window, Duration failedAge) {
        return ExpirePlanner.plan(repo.repository, new RetentionPolicy(full, window, failedAge), NOW);
    }

    private static List<String> labels(List<ExpirePlan.Backup> backups) {
        return backups.stream().map(ExpirePlan.Backup::label).toList();
    }

    private static String key(dev.walstow.wal.WalFileName name) {
        return SyntheticRepository.key(name);
    }
}
