package dev.walstow.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.UserError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecoverySettingsTest {
    private static final String WALSTOW = "/opt/walstow/bin/walstow --config /etc/walstow/walstow.toml archive-get %f %p";
    private static final RecoveryTarget LATEST = new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "latest",
            Optional.empty());

    @Test
    @DisplayName("a recovery switches archiving off by default; a standby, or --archive-mode preserve, keeps it")
    void archiveModeDefaults() {
        assertThat(parse("recovery", null).archiveMode()).isEqualTo(RecoverySettings.ArchiveMode.OFF);
        assertThat(parse("recovery", null).lines(LATEST)).containsExactly("restore_command = '" + WALSTOW + "'",
                "archive_mode = 'off'", "recovery_target_timeline = 'latest'");
        assertThat(parse("recovery", "preserve").lines(LATEST)).noneMatch(l -> l.startsWith("archive_mode"));
        assertThat(parse("standby", null).archiveMode()).isEqualTo(RecoverySettings.ArchiveMode.PRESERVE);
        assertThat(parse("standby", "off").lines(LATEST)).contains("archive_mode = 'off'");
        assertThat(parse("standby", null).type().signalFile()).isEqualTo("standby.signal");
        assertThat(parse("recovery", null).type().signalFile()).isEqualTo("recovery.signal");
        assertThatThrownBy(() -> parse("default", null)).isInstanceOf(UserError.class)
                .hasMessageContaining("--type 'default' is not recovery or standby");
        assertThatThrownBy(() -> parse("recovery", "on")).isInstanceOf(UserError.class)
                .hasMessageContaining("--archive-mode 'on' is not off or preserve");
    }

    @Test
    @DisplayName("--recovery-option settings are written after the target's, quoted; restore_command replaces walstow's")
    void recoveryOptions() {
        RecoverySettings s = RecoverySettings.parse("standby", Optional.empty(), WALSTOW, List.of(
                "primary_conninfo=host=primary user=replicator application_name='copy'", "Recovery_Min_Apply_Delay=5min",
                "restore_command=cp /mnt/archive/%f %p"));
        assertThat(s.lines(LATEST)).containsExactly("restore_command = 'cp /mnt/archive/%f %p'",
                "recovery_target_timeline = 'latest'",
                "primary_conninfo = 'host=primary user=replicator application_name=''copy'''",
                "recovery_min_apply_delay = '5min'");
    }

    @Test
    @DisplayName("a --recovery-option that is not KEY=VALUE, repeats, or contradicts walstow's own options is refused")
    void refusedOptions() {
        for (String bad : List.of("primary_conninfo", "=x", "bad key=1", "1abc=2")) {
            assertThatThrownBy(() -> options(bad)).isInstanceOf(UserError.class)
                    .hasMessageContaining("is not KEY=VALUE");
        }
        assertThatThrownBy(() -> options("recovery_target_time=2026-01-01 00:00:00+00"))
                .isInstanceOf(UserError.class).hasMessageContaining("set by walstow restore's own options")
                .satisfies(e -> assertThat(((UserError) e).hint()).contains("--target-time"));
        assertThatThrownBy(() -> options("ARCHIVE_MODE=on")).isInstanceOf(UserError.class)
                .satisfies(e -> assertThat(((UserError) e).hint()).contains("--archive-mode"));
        assertThatThrownBy(() -> options("work_mem=1MB", "work_mem=2MB")).isInstanceOf(UserError.class)
                .hasMessageContaining("given twice");
    }

    @Test
    @DisplayName("a standby takes no recovery target nor --target-action: refused, never dropped")
    void standbyRefusesTargets() {
        RecoverySettings standby = parse("standby", null);
        standby.check(LATEST);
        standby.check(new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "2", Optional.empty()));
        assertThatThrownBy(() -> standby.check(new RecoveryTarget(RecoveryTarget.Kind.LSN, "0/5000000", "latest",
                Optional.empty()))).isInstanceOf(UserError.class).hasMessageContaining("--type standby takes no");
        assertThatThrownBy(() -> standby.check(new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "latest",
                Optional.of("promote")))).isInstanceOf(UserError.class);
        parse("recovery", null).check(new RecoveryTarget(RecoveryTarget.Kind.LSN, "0/5000000", "latest",
                Optional.of("promote")));
    }

    private static RecoverySettings parse(String type, String archiveMode) {
        return RecoverySettings.parse(type, Optional.ofNullable(archiveMode), WALSTOW, List.of());
    }

    private static RecoverySettings options(String... options) {
        return RecoverySettings.parse("recovery", Optional.empty(), WALSTOW, List.of(options));
    }
}
