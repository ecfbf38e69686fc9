package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    @DisplayName("a line is [WS-CODE] message HINT: hint")
    void lineWithHint() {
        assertThat(ErrorCode.LOCAL_IO.line("cannot write pg_wal/x", "check permissions"))
                .isEqualTo("[WS-LOCAL-IO] cannot write pg_wal/x HINT: check permissions");
    }

    @Test
    @DisplayName("a null or blank hint leaves out HINT:")
    void lineWithoutHint() {
        assertThat(ErrorCode.STORAGE.line("no answer", null)).isEqualTo("[WS-STORAGE] no answer");
        assertThat(ErrorCode.STORAGE.line("no answer", " ")).isEqualTo("[WS-STORAGE] no answer");
    }

    @Test
    @DisplayName("line breaks in the message or the hint become spaces: one error, one log line")
    void oneLogLine() {
        assertThat(ErrorCode.INTERNAL.line("first\nsecond\r\nthird", "do\nthis"))
                .isEqualTo("[WS-INTERNAL] first second  third HINT: do this");
    }
}
