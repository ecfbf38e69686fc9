package dev.walstow.expire;

import static dev.walstow.expire.SyntheticRepository.T1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.backup.BackupManifest;
import dev.walstow.error.UserError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** expire on chains of full, differential and incremental backups: whole chains kept, whole chains deleted. */
class ExpireChainsTest {
    private static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    private final SyntheticRepository repo = new SyntheticRepository();

    @Test
    @DisplayName("retention-full 1 over full, incr, incr, full, incr keeps the second full and its incr and deletes "
            + "the first chain entirely")
    void countRuleTakesAWholeChain() {
        SyntheticRepository.Chains c = repo.twoChains();

        ExpirePlan plan = plan(new RetentionPolicy(1, Duration.ZERO, DAY));

        assertThat(labels(plan.kept())).containsExactly(c.full2().label(), c.incr3().label());
        assertThat(labels(plan.expired())).containsExactly(c.full1().label(), c.incr1().label(), c.incr2().label());
        assertThat(reason(plan.expired(), c.incr2())).contains("builds on full " + c.full1().label()
                + ", which expires",
                "retention-full");
        assertThat(reason(plan.kept(), c.incr3())).contains("builds on full " + c.full2().label(), "retention-full");
        assertThat(plan.walCutoff()).startsWith(c.full2().startLsn());
    }

    @Test
    @DisplayName("expire keeps a full while an incremental the window keeps needs it, with the reason for each")
    void windowKeepsAnIncrementalsChain() {
        SyntheticRepository.Chains c = repo.twoChains();
        // The window starts after incr2 stopped and before full2 did: recovery to its start begins at incr2.
        Duration window = Duration.between(Instant.parse("2026-01-04T12:00:00Z"), NOW);

        ExpirePlan plan = plan(new RetentionPolicy(1, window, DAY));

        assertThat(labels(plan.kept())).containsExactly(c.full1().label(), c.incr1().label(), c.incr2().label(),
                c.full2().label(), c.incr3().label());
        assertThat(plan.expired()).isEmpty();
        assertThat(reason(plan.kept(), c.incr2())).contains("the newest backup that stopped before the window's start");
        assertThat(reason(plan.kept(), c.incr1())).isEqualTo("reference of " + c.incr2().label()
                + ": restoring it needs this backup");
        assertThat(reason(plan.kept(), c.full1())).isEqualTo("reference of " + c.incr1().label()
                + ": restoring it needs this backup");
        assertThat(plan.walCutoff()).as("WAL from the oldest kept backup, the full the chain needs")
                .startsWith(c.full1().startLsn());
    }

    @Test
    @DisplayName("the dry-run text gives each backup's type, reference and keep reason")
    void dryRunTextNamesTypesAndReasons() {
        SyntheticRepository.Chains c = repo.twoChains();
        Duration window = Duration.between(Instant.parse("2026-01-02T12:00:00Z"), NOW);

        String text = plan(new RetentionPolicy(0, window, DAY)).text("would delete");

        assertThat(text).contains(
                "keep backup " + c.full1().label() + " (full, stopped 2026-01-01T00:00:00Z): reference of "
                        + c.incr1().label() + ": restoring it needs this backup",
                "keep backup " + c.incr1().label() + " (incr of " + c.full1().label() + ", stopped "
                        + "2026-01-02T00:00:00Z): the newest backup that stopped before the window's start",
                "keep backup " + c.incr2().label() + " (incr of " + c.incr1().label() + ", stopped",
                "nothing to delete");
    }

    @Test
    @DisplayName("retention-diff keeps the newest differentials; an older one goes with its incrementals")
    void diffRuleThinsDifferentials() {
        BackupManifest full = repo.backup(T1, 0x02, 0x03, "2026-01-01T00:00:00Z");
        BackupManifest diff1 = repo.diff(full, 0x04, 0x05, "2026-01-02T00:00:00Z");
        BackupManifest incr1 = repo.incr(diff1, 0x06, 0x07, "2026-01-03T00:00:00Z");
        BackupManifest diff2 = repo.diff(full, 0x08, 0x09, "2026-01-04T00:00:00Z");
        BackupManifest incr2 = repo.incr(diff2, 0x0A, 0x0B, "2026-01-05T00:00:00Z");
        BackupManifest diff3 = repo.diff(full, 0x0C, 0x0D, "2026-01-06T00:00:00Z");
        repo.segments(T1, 0x02, 0x10);

        ExpirePlan plan = plan(new RetentionPolicy(1, 2, Duration.ZERO, DAY));

        assertThat(labels(plan.kept())).containsExactly(full.label(), diff2.label(), incr2.label(), diff3.label());
        assertThat(labels(plan.expired())).containsExactly(diff1.label(), incr1.label());
        assertThat(reason(plan.expired(), diff1)).contains("older than the newest 2 differential backups",
                "retention-diff");
        assertThat(reason(plan.expired(), incr1)).contains("builds on differential " + diff1.label()
                + ", which expires");
        assertThat(reason(plan.kept(), diff2)).contains("one of the newest 2 differential backups (retention-diff)");
        assertThat(reason(plan.kept(), full)).contains("the newest full backup (retention-full)",
                "reference of " + diff2.label() + ", " + diff3.label() + ": restoring them");
        assertThat(plan.policy().describe()).isEqualTo("retention-full 1, retention-diff 2");
        assertThat(plan.walCutoff()).as("the full is kept, so all its WAL is").startsWith(full.startLsn());

        // A window that needs incr1 keeps the differential it builds on, whatever retention-diff says.
        Duration window = Duration.between(Instant.parse("2026-01-03T12:00:00Z"), NOW);
        ExpirePlan windowed = plan(new RetentionPolicy(1, 2, window, DAY));
        assertThat(windowed.expired()).isEmpty();
        assertThat(reason(windowed.kept(), diff1)).startsWith("reference of " + incr1.label());
    }

    @Test
    @DisplayName("retention-diff alone, or with only a window, is refused: it thins what retention-full keeps")
    void diffRuleNeedsFullRule() {
        assertThatThrownBy(() -> new RetentionPolicy(0, 2, Duration.ZERO, DAY)).isInstanceOf(UserError.class)
                .hasMessageContaining("retention-diff 2 needs retention-full");
        assertThatThrownBy(() -> new RetentionPolicy(0, 2, Duration.ofDays(7), DAY)).isInstanceOf(UserError.class)
                .hasMessageContaining("needs retention-full");
        assertThatThrownBy(() -> new RetentionPolicy(1, -1, Duration.ZERO, DAY)).isInstanceOf(UserError.class);
    }

    @Test
    @DisplayName("a backup whose reference is gone is kept while newer than the oldest kept backup, deleted once "
            + "older, and never holds WAL back")
    void brokenChain() {
        SyntheticRepository.Chains c = repo.twoChains();
        repo.deleteManifest(c.incr1());

        ExpirePlan two = plan(new RetentionPolicy(2, Duration.ZERO, DAY));
        assertThat(labels(two.kept())).containsExactly(c.full1().label(), c.incr2().label(), c.full2().label(),
                c.incr3().label());
        assertThat(reason(two.kept(), c.incr2())).contains("the backup chain of " + c.incr2().label() + " is broken",
                c.incr1().label() + ", which is not in the repository", "cannot be restored",
                "newer than the oldest kept backup " + c.full1().label());

        ExpirePlan one = plan(new RetentionPolicy(1, Duration.ZERO, DAY));
        assertThat(labels(one.kept())).containsExactly(c.full2().label(), c.incr3().label());
        assertThat(reason(one.expired(), c.incr2())).contains("is broken", "older than the oldest kept backup "
                + c.full2().label());
    }

    @Test
    @DisplayName("with no restorable backup at all, broken ones are kept and no WAL is deleted")
    void onlyBrokenBackups() {
        BackupManifest full = repo.backup(T1, 0x02, 0x03, "2026-01-01T00:00:00Z");
        BackupManifest incr = repo.incr(full, 0x04, 0x05, "2026-01-02T00:00:00Z");
        repo.segments(T1, 0x02, 0x08);
        repo.deleteManifest(full);

        ExpirePlan plan = plan(new RetentionPolicy(1, Duration.ZERO, DAY));

        assertThat(labels(plan.kept())).containsExactly(incr.label());
        assertThat(plan.expired()).isEmpty();
        assertThat(plan.walCutoff()).isNull();
        assertThat(plan.wal()).isEmpty();
        assertThat(plan.text("delete")).contains("keep all WAL");
    }

    private ExpirePlan plan(RetentionPolicy policy) {
        return ExpirePlanner.plan(repo.repository, policy, NOW);
    }

    private static List<String> labels(List<ExpirePlan.Backup> backups) {
        return backups.stream().map(ExpirePlan.Backup::label).toList();
    }

    private static String reason(List<ExpirePlan.Backup> backups, BackupManifest backup) {
        return backups.stream().filter(b -> b.label().equals(backup.label())).findFirst().orElseThrow().reason();
    }
}
