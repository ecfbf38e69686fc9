package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSettingsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("missing or nonsensical agent.properties means in-process fallback and a 90 s wait")
    void defaults() throws Exception {
        assertThat(AgentSettings.read(dir.resolve("absent"))).isEqualTo(AgentSettings.DEFAULTS);
        Path f = Files.writeString(dir.resolve("agent.properties"), "fallback=maybe\nwait-timeout-ms=soon\n");
        assertThat(AgentSettings.read(f)).isEqualTo(AgentSettings.DEFAULTS);
        Files.writeString(f, "wait-timeout-ms=-5\n");
        assertThat(AgentSettings.read(f).replyWaitMillis()).isEqualTo(90_000);
    }

    @Test
    @DisplayName("fallback=fail and wait-timeout-ms are honoured, surrounding blanks ignored")
    void values() throws Exception {
        Path f = Files.writeString(dir.resolve("agent.properties"), "fallback = fail \nwait-timeout-ms = 60000\n");
        assertThat(AgentSettings.read(f)).isEqualTo(new AgentSettings(AgentSettings.Fallback.FAIL, 70_000));
    }

    @Test
    @DisplayName("what the daemon writes reads back as its policy and its wait plus the margin")
    void roundTrip() throws Exception {
        Path f = Files.writeString(dir.resolve("agent.properties"), AgentSettings.text(AgentSettings.Fallback.FAIL, 2_500));
        assertThat(AgentSettings.read(f)).isEqualTo(new AgentSettings(AgentSettings.Fallback.FAIL, 12_500));
        Files.writeString(f, AgentSettings.text(AgentSettings.Fallback.IN_PROCESS, 300_000));
        assertThat(AgentSettings.read(f)).isEqualTo(new AgentSettings(AgentSettings.Fallback.IN_PROCESS, 310_000));
    }
}
