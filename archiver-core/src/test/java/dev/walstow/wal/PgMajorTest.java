package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PgMajorTest {

    @ParameterizedTest
    @CsvSource({"13, D106", "14, D10D", "15, D110", "16, D113", "17, D116", "18, D118"})
    @DisplayName("knows the WAL page magic of every supported major and maps it back")
    void magic(int major, String hex) {
        int magic = Integer.parseInt(hex, 16);
        assertThat(PgMajor.walPageMagic(major)).isEqualTo(magic);
        assertThat(PgMajor.majorForMagic(magic)).hasValue(major);
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 19, 0, -1, 96})
    @DisplayName("refuses unsupported majors with a binding error listing the supported ones")
    void unsupported(int major) {
        assertThatThrownBy(() -> PgMajor.walPageMagic(major)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BINDING);
            assertThat(e.getMessage()).contains("PostgreSQL " + major + " is not supported");
            assertThat(e.hint()).contains("13 to 18");
        });
    }

    @Test
    @DisplayName("lists 13..18 and knows no major for a foreign magic")
    void supported() {
        assertThat(PgMajor.supported()).containsExactly(13, 14, 15, 16, 17, 18);
        assertThat(PgMajor.majorForMagic(0xD120)).isEmpty();
    }
}
