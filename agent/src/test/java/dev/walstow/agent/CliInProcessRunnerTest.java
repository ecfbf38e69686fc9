package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliInProcessRunnerTest {
    @TempDir
    Path home;

    @Test
    @DisplayName("a distribution without the CLI jars fails with WS-CONFIG: 3 for push, 203 for get; one line that "
            + "says why, with a HINT and no class name")
    void missingLib() throws Exception {
        Files.createDirectories(home.resolve("lib"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliInProcessRunner runner = new CliInProcessRunner(home, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(runner.run("archive-push", "pg_wal/x")).isEqualTo(3);
        assertThat(runner.run("archive-get", "x", "pg_wal/RECOVERYXLOG")).isEqualTo(203);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("[WS-CONFIG]", "HINT:")
                .contains("no jar files in " + home.resolve("lib")).doesNotContain("Exception"));
    }
}
