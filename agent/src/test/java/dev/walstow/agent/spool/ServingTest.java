package dev.walstow.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServingTest {
    private static final String FINGERPRINT = "2049:131073:512:1765000000.123456789:1765000001.000000007";

    @TempDir
    Path dir;

    @Test
    @DisplayName("a serving record reads back as written, a configuration path with spaces included")
    void roundTrip() {
        Serving s = new Serving(4242, "0123456789abcdef", FINGERPRINT, "/etc/walstow/my cluster.toml");
        assertThat(s.format()).isEqualTo("walstow-serving-1 4242 0123456789abcdef " + FINGERPRINT
                + " /etc/walstow/my cluster.toml\n");
        assertThat(Serving.parse(s.format())).contains(s);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "walstow-serving-1 4242 0123456789abcdef " + FINGERPRINT + " /etc/w.toml",
            "walstow-serving-2 4242 0123456789abcdef " + FINGERPRINT + " /etc/w.toml\n",
            "walstow-serving-1 0 0123456789abcdef " + FINGERPRINT + " /etc/w.toml\n",
            "walstow-serving-1 x 0123456789abcdef " + FINGERPRINT + " /etc/w.toml\n",
            "walstow-serving-1 4242 0123456789ABCDEF " + FINGERPRINT + " /etc/w.toml\n",
            "walstow-serving-1 4242 0123456789abcde " + FINGERPRINT + " /etc/w.toml\n",
            "walstow-serving-1 4242 0123456789abcdef 1:2:3:4.5:6.7 /etc/w.toml\n",
            "walstow-serving-1 4242 0123456789abcdef " + FINGERPRINT + "\n"})
    @DisplayName("anything but a whole, well-formed record is no record (the caller takes the slow path)")
    void malformed(String text) {
        assertThat(Serving.parse(text)).isEmpty();
    }

    @Test
    @DisplayName("a heartbeat is fresh for less than 5 s, and not when it lies 5 s or more in the future")
    void freshness() {
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        assertThat(Serving.fresh(now.minusMillis(4_900), now)).isTrue();
        assertThat(Serving.fresh(now.minusSeconds(5), now)).isFalse();
        assertThat(Serving.fresh(now.plusSeconds(2), now)).isTrue();
        assertThat(Serving.fresh(now.plusSeconds(6), now)).isFalse();
    }

    @Test
    @DisplayName("read() gives the record with the file's mtime as heartbeat; a missing or oversized file is none")
    void read() throws IOException {
        assertThat(Serving.read(dir)).isEmpty();
        Serving s = new Serving(7, "fedcba9876543210", FINGERPRINT, "/etc/w.toml");
        Path file = Files.writeString(dir.resolve(Serving.FILE), s.format());
        Instant beat = Instant.parse("2026-12-07T12:00:01.5Z");
        Files.setLastModifiedTime(file, FileTime.from(beat));
        assertThat(Serving.read(dir)).contains(new Serving.Observed(s, beat));
        assertThat(Serving.heartbeat(dir)).contains(beat);
        Files.writeString(file, s.format().repeat(200));
        assertThat(Serving.read(dir)).isEmpty();
    }

    @Test
    @DisplayName("the fingerprint names the file and its version: same text elsewhere, an edit or a restored mtime "
            + "all change it; reading does not")
    void fingerprint() throws Exception {
        Path config = Files.writeString(dir.resolve("w.toml"), "[repository]\n");
        String first = ConfigFile.fingerprint(config).orElseThrow();
        assertThat(first).matches("[0-9]+:[0-9]+:13:[0-9]+\\.[0-9]{9}:[0-9]+\\.[0-9]{9}");
        Files.readString(config);
        assertThat(ConfigFile.fingerprint(config)).contains(first);
        Path copy = Files.writeString(dir.resolve("copy.toml"), "[repository]\n");
        assertThat(ConfigFile.fingerprint(copy)).isNotEqualTo(Optional.of(first));
        FileTime mtime = Files.getLastModifiedTime(config);
        Thread.sleep(20);
        Files.writeString(config, "[repositorY]\n");
        Files.setLastModifiedTime(config, mtime);
        assertThat(ConfigFile.fingerprint(config)).as("same size and mtime, new ctime").isNotEqualTo(Optional.of(first));
        assertThat(ConfigFile.fingerprint(dir.resolve("missing.toml"))).isEmpty();
    }

    @Test
    @DisplayName("the configuration file is --config, else a non-blank $WALSTOW_CONFIG, else /etc/walstow/walstow.toml")
    void locate() {
        Path option = Path.of("/srv/a.toml");
        assertThat(ConfigFile.locate(Optional.of(option), Map.of(ConfigFile.ENV_VAR, "/srv/b.toml"))).isEqualTo(option);
        assertThat(ConfigFile.locate(Optional.empty(), Map.of(ConfigFile.ENV_VAR, "/srv/b.toml")))
                .isEqualTo(Path.of("/srv/b.toml"));
        assertThat(ConfigFile.locate(Optional.empty(), Map.of(ConfigFile.ENV_VAR, " "))).isEqualTo(ConfigFile.DEFAULT_PATH);
        assertThat(ConfigFile.locate(Optional.empty(), Map.of())).isEqualTo(Path.of("/etc/walstow/walstow.toml"));
    }
}
