package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimelineIdTest {

    @Test
    @DisplayName("parses 8 upper-case hex digits and prints them back")
    void roundTrip() {
        assertThat(TimelineId.parse("0000000A").value()).isEqualTo(10);
        assertThat(TimelineId.parse("FFFFFFFF").hex()).isEqualTo("FFFFFFFF");
        assertThat(new TimelineId(1).hex()).isEqualTo("00000001");
        assertThat(new TimelineId(9).next()).isEqualTo(new TimelineId(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "0000000a", "000000001", "0000000G", "00000000", " 0000001"})
    @DisplayName("refuses anything but a non-zero 8-digit upper-case hex timeline, naming it")
    void rejects(String text) {
        assertThatThrownBy(() -> TimelineId.parse(text)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
            assertThat(e.getMessage()).contains(text);
            assertThat(e.hint()).isNotBlank();
        });
    }

    @Test
    @DisplayName("has no timeline 0 or above 32 bits, and none after the last")
    void range() {
        assertThatThrownBy(() -> new TimelineId(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimelineId(0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimelineId(0xFFFFFFFFL).next()).isInstanceOf(IllegalStateException.class);
    }
}
