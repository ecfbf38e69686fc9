package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The systemd units shipped in packaging/src/main/dist/systemd (installed by the .deb into /lib/systemd/system): the
 * daemon, and the backup, expire and verify jobs with their timers, each also as a per-cluster template.
 */
class ShippedUnitsTest {
    private static final Path SYSTEMD = Path.of("..", "packaging", "src", "main", "dist", "systemd");
    private static final String CONFIG = "/etc/walstow/walstow.toml";
    private static final String JOBS = "backup|expire|verify";

    @ParameterizedTest(name = "walstow-{0}.service")
    @ValueSource(strings = {"backup", "expire", "verify"})
    @DisplayName("each job is a oneshot service run as postgres whose ExecStart is that walstow command with --config")
    void jobService(String job) throws IOException {
        Map<String, List<String>> unit = parse("walstow-" + job + ".service");
        assertThat(unit.get("Service.Type")).containsExactly("oneshot");
        assertThat(unit.get("Service.User")).containsExactly("postgres");
        assertThat(unit.get("Service.Group")).containsExactly("postgres");
        assertThat(unit.get("Service.ExecStart")).hasSize(1);
        String exec = unit.get("Service.ExecStart").getFirst();
        assertThat(exec).startsWith("/usr/bin/walstow --config " + CONFIG + " " + job);
        // The arguments are ones walstow accepts (parsed by its own command line, not run).
        String[] args = exec.substring("/usr/bin/walstow ".length()).split(" ");
        ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(job);
        assertThat(parsed.matchedOptionValue("--config", null).toString()).isEqualTo(CONFIG);
        assertThat(unit.keySet()).as("started by its timer only, never enabled by itself")
                .noneMatch(k -> k.startsWith("Install."));
    }

    @ParameterizedTest(name = "walstow-{0}.timer: {1}")
    @CsvSource(delimiter = '|', value = {
            "backup | *-*-* 01:00:00",
            "expire | *-*-* 06:00:00",
            "verify | Sun *-*-* 03:00:00"})
    @DisplayName("each timer: its schedule, a randomized delay, Persistent=true, enabled into timers.target")
    void jobTimer(String job, String onCalendar) throws IOException {
        Map<String, List<String>> timer = parse("walstow-" + job + ".timer");
        assertThat(timer.get("Timer.OnCalendar")).containsExactly(onCalendar);
        assertThat(timer.get("Timer.RandomizedDelaySec")).singleElement().asString().matches("\\d+(min|h)");
        assertThat(timer.get("Timer.Persistent")).containsExactly("true");
        assertThat(timer.get("Install.WantedBy")).containsExactly("timers.target");
        assertThat(timer).as("activates walstow-%s.service, the unit of the same name", job)
                .doesNotContainKey("Timer.Unit");
    }

    @Test
    @DisplayName("expire runs after the backup: later in the day, and ordered after it when both are due at once")
    void expireAfterBackup() throws IOException {
        assertThat(hour(parse("walstow-expire.timer"))).isGreaterThan(hour(parse("walstow-backup.timer")));
        assertThat(String.join(" ", parse("walstow-expire.service").get("Unit.After")))
                .contains("walstow-backup.service");
        assertThat(String.join(" ", parse("walstow-verify.service").get("Unit.After")))
                .contains("walstow-backup.service", "walstow-expire.service");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"walstow.service", "walstow-backup.service", "walstow-backup.timer",
            "walstow-expire.service", "walstow-expire.timer", "walstow-verify.service", "walstow-verify.timer"})
    @DisplayName("each per-cluster template (NAME@.service/.timer) is its single-cluster unit with /etc/walstow/%i.toml "
            + "and %i instances, nothing else")
    void templateMatchesUnit(String single) throws IOException {
        String template = single.replaceFirst("\\.(service|timer)$", "@.$1");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        parse(single).forEach((key, values) -> expected.put(key, values.stream()
                .map(v -> v.replace(CONFIG, "/etc/walstow/%i.toml")
                        .replaceAll("\\bwalstow-(" + JOBS + ")\\.service\\b", "walstow-$1@%i.service")).toList()));
        Map<String, List<String>> actual = parse(template);
        assertThat(actual.get("Unit.Description")).singleElement().asString().contains("%i");
        expected.remove("Unit.Description");
        actual.remove("Unit.Description");
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    @DisplayName("no other unit is shipped (each one is tested above)")
    void noUntestedUnit() throws IOException {
        List<String> names;
        try (Stream<Path> s = Files.list(SYSTEMD)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> known = new ArrayList<>(List.of("walstow.service", "walstow@.service"));
        for (String job : JOBS.split("\\|")) {
            for (String name : List.of("walstow-" + job + ".service", "walstow-" + job + ".timer")) {
                known.add(name);
                known.add(name.replaceFirst("\\.(service|timer)$", "@.$1"));
            }
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(known);
    }

    private static int hour(Map<String, List<String>> timer) {
        String[] time = timer.get("Timer.OnCalendar").getFirst().split(" ");
        return Integer.parseInt(time[time.length - 1].split(":")[0]);
    }

    /** {@code Section.Key} to its values in file order; comments and blank lines skipped. */
    static Map<String, List<String>> parse(String unitFile) throws IOException {
        Map<String, List<String>> directives = new LinkedHashMap<>();
        String section = "";
        for (String line : Files.readAllLines(SYSTEMD.resolve(unitFile))) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(eq).as("%s: %s", unitFile, line).isPositive();
            directives.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return directives;
    }
}
