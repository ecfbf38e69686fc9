package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code walstow expire} with neither retention rule: a dry run explains, a real run refuses. */
class ExpireNoRetentionTest {
    @TempDir
    Path base;

    Path config;

    @BeforeEach
    void configWithoutRetention() throws IOException {
        Files.createDirectories(base.resolve("repo"));
        config = Files.writeString(base.resolve("walstow.toml"), """
                [repository]
                type = "posix"
                path = "%s"
                [encryption]
                enabled = false
                """.formatted(base.resolve("repo")));
    }

    @Test
    @DisplayName("expire --dry-run without retention exits 0, says none is configured and how to set one")
    void dryRunInforms() {
        Cli dry = Cli.run("--config", config.toString(), "expire", "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("no retention is configured", config.toString(), "refuses to run",
                "set [backup] retention-full and/or retention-window",
                "--retention-full N / --retention-window 7d", "would delete nothing");
        assertThat(dry.err()).doesNotContain("WS-");

        Cli zero = Cli.run("--config", config.toString(), "expire", "--dry-run", "--retention-full", "0",
                "--retention-window", "0s");
        assertThat(zero.exit()).as(zero.toString()).isZero();
        assertThat(zero.out()).contains("no retention is configured");
    }

    @Test
    @DisplayName("a real expire without retention still refuses, with the same advice as its HINT")
    void realRunRefuses() {
        Cli run = Cli.run("--config", config.toString(), "expire");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("[WS-USAGE] no retention is configured, so expire would keep everything",
                "HINT: set [backup] retention-full and/or retention-window");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("retention-diff with only a window is refused, before the repository is read, with how to fix it")
    void diffRuleWithoutFullRuleRefuses() throws IOException {
        Files.writeString(config, Files.readString(config) + """
                [backup]
                retention-diff = 3
                """);
        Cli run = Cli.run("--config", config.toString(), "expire", "--dry-run", "--retention-window", "7d");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("[WS-USAGE] retention-diff 3 needs retention-full",
                "HINT: set [backup] retention-full too (or pass --retention-full N), or set retention-diff = 0");

        Cli overridden = Cli.run("--config", config.toString(), "expire", "--dry-run", "--retention-window", "7d",
                "--retention-diff", "0");
        assertThat(overridden.err()).as("--retention-diff overrides the file").doesNotContain("WS-USAGE");
    }

    @Test
    @DisplayName("with a rule, the dry run goes on to the plan (here: an empty directory walstow init never bound)")
    void dryRunWithRulePlans() {
        Cli dry = Cli.run("--config", config.toString(), "expire", "--dry-run", "--retention-full", "2");
        assertThat(dry.out()).doesNotContain("no retention is configured");
        assertThat(dry.exit()).as(dry.toString()).isEqualTo(4);
        assertThat(dry.err()).contains("[WS-BINDING]");
    }
}
