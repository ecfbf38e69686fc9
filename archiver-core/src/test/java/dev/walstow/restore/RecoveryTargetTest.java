package dev.walstow.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.UserError;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecoveryTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-07 10:00:00 UTC", "2026-12-07T10:00:00Z", "2026-12-07 10:00:00+00",
            "2026-12-07 10:00:00+00:00", "2026-12-07 11:00:00+01", "2026-12-07 11:00:00+01:00",
            "2026-12-07 11:00:00 +0100", "2026-12-07 05:00:00-05", "2026-12-07 10:00 utc", "2026-12-07 10:00:00 GMT",
            "2026-12-07 11:00:00 Europe/Berlin", "  2026-12-07t10:00:00z "})
    @DisplayName("--target-time takes PostgreSQL's forms of a timestamptz and writes them in one canonical form")
    void timeForms(String text) {
        RecoveryTarget t = time(text);
        assertThat(t.time()).isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
        assertThat(t.settings()).first().isEqualTo("recovery_target_time = '2026-12-07 10:00:00+00'");
    }

    @Test
    @DisplayName("fractional seconds are kept to the microsecond, as PostgreSQL keeps them")
    void fractions() {
        assertThat(time("2026-12-07 10:00:00.25+01").value()).isEqualTo("2026-12-07 09:00:00.25+00");
        assertThat(time("2026-12-07T10:00:00.123456789Z").value()).isEqualTo("2026-12-07 10:00:00.123456+00");
        assertThat(time("2026-12-07T10:00:00.123456789Z").time()).isEqualTo(Instant.parse("2026-12-07T10:00:00.123456Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-07 10:00:00", "2026-12-07T10:00:00", "yesterday", "2026-12-07 10:00:00 CET",
            "2026-12-07 10:00:00+25", "2026-13-07 10:00:00Z", "2026-12-07 10:00:00 Mars/Olympus"})
    @DisplayName("a time without a zone, with an abbreviation, or not a time at all is refused with the forms to use")
    void refusedTimes(String text) {
        assertThatThrownBy(() -> time(text)).isInstanceOf(UserError.class)
                .hasMessageContaining("--target-time '" + text + "'")
                .satisfies(e -> assertThat(((UserError) e).hint()).contains("2026-01-21T14:03:00Z"));
    }

    @Test
    @DisplayName("--target-action pause or shutdown with latest is refused: PostgreSQL would ignore it")
    void actionWithLatest() {
        for (String action : new String[] {"pause", "shutdown"}) {
            assertThatThrownBy(() -> new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "latest", Optional.of(action)))
                    .isInstanceOf(UserError.class).hasMessageContaining("needs a recovery target");
        }
        RecoveryTarget promote = new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "latest", Optional.of("promote"));
        assertThat(promote.settings()).containsExactly("recovery_target_timeline = 'latest'");
        assertThat(new RecoveryTarget(RecoveryTarget.Kind.IMMEDIATE, "", "latest", Optional.of("shutdown"))
                .settings()).containsExactly("recovery_target = 'immediate'", "recovery_target_timeline = 'latest'",
                        "recovery_target_action = 'shutdown'");
    }

    private static RecoveryTarget time(String text) {
        return new RecoveryTarget(RecoveryTarget.Kind.TIME, text, "latest", Optional.empty());
    }
}
