package dev.walstow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsCheckTest {
    private static final Duration RPO = Duration.ofMinutes(15);

    private static GuardSql.Settings settings(String mode, int timeout, String command, boolean maySwitch) {
        return new GuardSql.Settings(mode, timeout, command, "", "replica", false, maySwitch, 1);
    }

    @Test
    @DisplayName("a primary archiving with walstow, where the guard may switch, has nothing to report")
    void healthy() {
        assertThat(SettingsCheck.check(settings("on", 0, "walstow archive-push %p", true), RPO, true)).isEmpty();
    }

    @Test
    @DisplayName("archive_mode off makes the RPO impossible")
    void archiveModeOff() {
        assertThat(SettingsCheck.check(settings("off", 0, "walstow archive-push %p", true), RPO, true))
                .singleElement().extracting(SettingsCheck.Finding::line).asString()
                .contains("archive_mode is off", "15 min", "HINT: set archive_mode = on");
    }

    @Test
    @DisplayName("without pg_switch_wal, archive_timeout must be at most half the RPO")
    void noSwitchNeedsArchiveTimeout() {
        assertThat(SettingsCheck.check(settings("on", 0, "walstow archive-push %p", false), RPO, true))
                .singleElement().extracting(SettingsCheck.Finding::problem).asString()
                .contains("may not execute pg_switch_wal()", "archive_timeout is 0");
        assertThat(SettingsCheck.check(settings("on", 600, "walstow archive-push %p", false), RPO, true))
                .singleElement().extracting(SettingsCheck.Finding::hint).asString().contains("at most 450s");
        assertThat(SettingsCheck.check(settings("on", 300, "walstow archive-push %p", false), RPO, true)).isEmpty();
    }

    @Test
    @DisplayName("archive_command and restore_command must point at walstow")
    void commands() {
        assertThat(SettingsCheck.check(settings("on", 60, "cp %p /mnt/archive/%f", true), RPO, false))
                .singleElement().extracting(SettingsCheck.Finding::problem).asString()
                .contains("archive_command is 'cp %p /mnt/archive/%f', not walstow");
        var restore = new GuardSql.Settings("on", 60, "walstow archive-push %p", "cp /a/%f %p", "replica", false,
                true, 1);
        assertThat(SettingsCheck.check(restore, RPO, true)).singleElement()
                .extracting(SettingsCheck.Finding::problem).asString().contains("restore_command");
    }
}
