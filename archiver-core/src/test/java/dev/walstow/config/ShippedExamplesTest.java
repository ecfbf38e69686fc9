package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
        assertThat(shown.backup()).isEqualTo(defaults.backup());
        assertThat(shown.metrics()).isEqualTo(defaults.metrics());
        assertThat(shown.guard()).isEqualTo(defaults.guard());
        assertThat(shown.log()).isEqualTo(defaults.log());
    }

    @Test
    @DisplayName("walstow.toml.example shows every declared key in its table, and only declared keys")
    void exampleHasEveryKey() throws Exception {
        Map<String, Set<String>> shown = keysShown(Files.readString(DIST.resolve("etc/walstow.toml.example")));
        for (ConfigKey key : ConfigKeys.all()) {
            assertThat(shown.getOrDefault(key.section().table(), Set.of())).as("[%s] %s", key.section().table(),
                    key.name()).contains(key.name());
        }
        shown.forEach((table, names) -> assertThat(ConfigKeys.names(table)).as("[%s]", table).containsAll(names));
    }

    @Test
    @DisplayName("walstow.toml.example writes every default exactly as docs/configuration.md shows it")
    void exampleWritesDefaultsAsDocumented() throws Exception {
        String table = "";
        for (String line : Files.readAllLines(DIST.resolve("etc/walstow.toml.example"))) {
            Matcher header = TABLE.matcher(line);
            Matcher set = Pattern.compile("^([a-z-]+) = (.*)$").matcher(line);
            if (header.matches()) {
                table = header.group(1);
            } else if (set.matches()) {
                String name = set.group(1);
                String value = set.group(2);
                ConfigKey key = declared(table, name);
                if (key.shownDefault().startsWith("`")) {
                    assertThat(value).as("[%s] %s", table, name).isEqualTo(key.shownDefault().replace("`", ""));
                }
            }
        }
    }

    private static final Pattern TABLE = Pattern.compile("^\\[([a-z]+)]$");

    /** Table name to the key names the example sets or shows commented out ({@code # key = ...}). */
    private static Map<String, Set<String>> keysShown(String example) {
        Map<String, Set<String>> shown = new HashMap<>();
        String table = "";
        for (String line : example.lines().toList()) {
            Matcher header = TABLE.matcher(line);
            Matcher key = Pattern.compile("^(?:# )?([a-z][a-z0-9-]*) = ").matcher(line);
            if (header.matches()) {
                table = header.group(1);
            } else if (key.find()) {
                shown.computeIfAbsent(table, t -> new HashSet<>()).add(key.group(1));
            }
        }
        return shown;
    }

    private static ConfigKey declared(String table, String name) {
        return ConfigKeys.all().stream().filter(k -> k.section().table().equals(table) && k.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("[" + table + "] " + name + " is not declared"));
    }

    @Test
    @DisplayName("both systemd units stop restarting a daemon that exits for bad usage or configuration "
            + "(such as its metrics port in use), and restart one that exits 75 for a changed configuration")
    void unitsDoNotRestartWhatARestartCannotFix() throws Exception {
        for (String name : new String[] {"walstow.service", "walstow@.service"}) {
            String unit = Files.readString(DIST.resolve("systemd").resolve(name));
            Matcher m = Pattern.compile("(?m)^RestartPreventExitStatus=(.+)$").matcher(unit);
            assertThat(m.find()).as(name).isTrue();
            Set<String> statuses = Set.of(m.group(1).strip().split("\\s+"));
            assertThat(statuses).as(name).contains(String.valueOf(ErrorCode.USAGE.pushExit()),
                    String.valueOf(ErrorCode.CONFIG.pushExit())).doesNotContain("75");
            assertThat(unit).as(name).contains("Restart=on-failure");
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
