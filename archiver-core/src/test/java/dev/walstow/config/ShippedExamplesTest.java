package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.config.WalstowConfig.DaemonConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The files shipped in packaging/src/main/dist must agree with the code they describe. */
class ShippedExamplesTest {
    private static final Path DIST = Path.of("..", "packaging", "src", "main", "dist");
    private static final String DEFAULTS_ONLY = """
            [repository]
            path = "/var/lib/walstow/repo"
            [encryption]
            recipient = "/etc/walstow/archive.pub.asc"
            """;

    @Test
    @DisplayName("walstow.toml.example parses, and every value it shows is the built-in default")
    void exampleShowsDefaults() throws Exception {
        Path example = DIST.resolve("etc/walstow.toml.example");
        WalstowConfig shown = ConfigLoader.parse(example, Files.readString(example));
        WalstowConfig defaults = ConfigLoader.parse(example, DEFAULTS_ONLY);
        assertThat(shown.daemon()).isEqualTo(defaults.daemon());
        assertThat(shown.retry()).isEqualTo(defaults.retry());
        assertThat(shown.compression()).isEqualTo(defaults.compression());
        assertThat(shown.repository()).isEqualTo(defaults.repository());
        assertThat(shown.encryption()).isEqualTo(defaults.encryption());
    }

    @Test
    @DisplayName("walstow.toml.example shows every key the loader accepts")
    void exampleHasEveryKey() throws Exception {
        String text = Files.readString(DIST.resolve("etc/walstow.toml.example"));
        for (String key : new String[] {"type", "path", "level", "enabled", "recipient", "secret", "passphrase-file",
                "data", "attempts", "initial-backoff", "max-backoff", "push-concurrency", "prefetch", "wait-timeout",
                "operation-timeout", "negative-cache-ttl", "allowed-uids", "fallback", "shutdown-timeout"}) {
            assertThat(text).containsPattern("(?m)^#? ?" + Pattern.quote(key) + " = ");
        }
    }

    @Test
    @DisplayName("the systemd unit gives the daemon more time to stop than its default shutdown-timeout")
    void unitStopTimeoutAboveShutdownTimeout() throws Exception {
        String unit = Files.readString(DIST.resolve("systemd/walstow.service"));
        Matcher m = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(unit);
        assertThat(m.find()).isTrue();
        DaemonConfig defaults = ConfigLoader.parse(Path.of("x"), DEFAULTS_ONLY).daemon();
        assertThat(Duration.ofSeconds(Long.parseLong(m.group(1)))).isGreaterThan(defaults.shutdownTimeout());
        assertThat(unit).contains("Type=notify", "NotifyAccess=main", "WatchdogSec=30",
                "ExecStart=/usr/bin/walstow --config /etc/walstow/walstow.toml daemon");
    }
}
