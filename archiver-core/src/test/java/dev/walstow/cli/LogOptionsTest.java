package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a DBA chooses what walstow logs: --log-level on any command, and the configuration's [log] table. */
class LogOptionsTest {
    private static final String DEBUG_LINE = " DEBUG walstow info: walstow ";

    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void configuration() throws Exception {
        // A repository directory that does not exist: `info` fails with a WS line after the configuration is read.
        config = Files.writeString(dir.resolve("walstow.toml"), """
                [repository]
                path = "%s"
                [encryption]
                enabled = false
                """.formatted(dir.resolve("no-repository")));
    }

    @Test
    @DisplayName("--log-level, before or after the command name, decides what the run logs; the next run is back at info")
    void logLevelOption() {
        Cli before = Cli.run("--log-level", "debug", "--config", config.toString(), "info");
        Cli after = Cli.run("--config", config.toString(), "info", "--log-level=DEBUG");
        Cli plain = Cli.run("--config", config.toString(), "info");
        Cli quiet = Cli.run("--config", config.toString(), "info", "--log-level", "error");
        assertThat(before.err()).as(before.toString()).contains(DEBUG_LINE + "development, configuration " + config);
        assertThat(after.err()).as(after.toString()).contains(DEBUG_LINE);
        assertThat(plain.err()).as(plain.toString()).doesNotContain(" DEBUG ").contains(" ERROR walstow info: [WS-");
        assertThat(quiet.err()).as(quiet.toString()).contains(" ERROR walstow info: [WS-");
        assertThat(plain.exit()).isNotZero().isEqualTo(before.exit()).isEqualTo(quiet.exit());
    }

    @Test
    @DisplayName("a --log-level that is not a level is a WS-USAGE error naming the levels")
    void invalidLevel() {
        Cli cli = Cli.run("info", "--log-level", "loud");
        assertThat(cli.exit()).isEqualTo(2);
        assertThat(cli.err()).contains("[WS-USAGE]").contains("expected one of error, warn, info, debug, trace but "
                + "was 'loud'");
    }

    @Test
    @DisplayName("[log] level and directory of the configuration apply to the command: walstow-info.log gets its lines")
    void configuredLogFile() throws Exception {
        Path logs = dir.resolve("logs");
        Files.writeString(config, Files.readString(config) + """
                [log]
                level = "debug"
                directory = "%s"
                """.formatted(logs));
        Cli cli = Cli.run("--config", config.toString(), "info");
        String file = Files.readString(logs.resolve("walstow-info.log"));
        assertThat(cli.err()).contains(DEBUG_LINE);
        assertThat(file).contains(DEBUG_LINE).contains(" ERROR walstow info: [WS-");
        assertThat(file.lines()).allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ [A-Z]+ .*"));

        Cli next = Cli.run("--config", dir.resolve("missing.toml").toString(), "info");
        assertThat(next.err()).contains("[WS-CONFIG]");
        assertThat(Files.readString(logs.resolve("walstow-info.log"))).isEqualTo(file);
    }
}
