package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Request;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentArgumentsTest {
    private static final String SEG = "000000010000000000000001";

    @Test
    @DisplayName("archive-push %p: the WAL name is the last component of %p; --config in either form is kept")
    void push() {
        AgentArguments withConfig = new AgentArguments(Request.Kind.PUSH, SEG, "pg_wal/" + SEG,
                Optional.of(Path.of("/etc/w.toml")));
        assertThat(AgentArguments.parse("archive-push", "pg_wal/" + SEG))
                .isEqualTo(new AgentArguments(Request.Kind.PUSH, SEG, "pg_wal/" + SEG, Optional.empty()));
        assertThat(AgentArguments.parse("--config", "/etc/w.toml", "archive-push", "pg_wal/" + SEG))
                .isEqualTo(withConfig);
        assertThat(AgentArguments.parse("--config=/etc/w.toml", "archive-push", "pg_wal/" + SEG))
                .isEqualTo(withConfig);
        assertThat(AgentArguments.parse("archive-push", SEG).walFileName()).isEqualTo(SEG);
    }

    @Test
    @DisplayName("archive-get %f %p keeps both exactly as PostgreSQL passed them")
    void get() {
        assertThat(AgentArguments.parse("--config", "w.toml", "archive-get", SEG, "pg_wal/RECOVERYXLOG"))
                .isEqualTo(new AgentArguments(Request.Kind.GET, SEG, "pg_wal/RECOVERYXLOG",
                        Optional.of(Path.of("w.toml"))));
        assertThat(AgentArguments.parse("archive-get", "00000002.history", "pg_wal/RECOVERYHISTORY").command())
                .isEqualTo("archive-get");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "archive-push", "archive-push|", "archive-push|pg_wal/", "archive-push|a|b",
            "archive-push|-x", "archive-push|pg_wal/..", "--config|archive-push|pg_wal/x", "--config=|archive-push|x",
            "--verbose|archive-push|x", "archive-get|x", "archive-get|a/b|pg_wal/x", "archive-get|x|",
            "archive-get|-f|x", "archive-get|x|y|z", "init", "--version", "help|archive-push",
            "archive-push|x|--config|c"})
    @DisplayName("anything but the two exact shapes is left to the full CLI (null), so it owns the usage messages")
    void delegated(String joined) {
        String[] args = joined.isEmpty() ? new String[0] : joined.split("\\|", -1);
        assertThat(AgentArguments.parse(args)).isNull();
    }
}
