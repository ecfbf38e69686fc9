package dev.walstow.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

class LoggingTest {
    @TempDir
    Path dir;

    private final LoggerContext context = context();
    private final Logger log = context.getLogger("dev.walstow.daemon.PushService");

    /** A logback context of the test's own, as logback's start-up would make it (the process's is left alone). */
    private static LoggerContext context() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    @Test
    @DisplayName("the level decides what reaches stderr: info by default, --log-level first, then the environment, "
            + "then [log] level")
    void levelPrecedence() {
        Logging plain = new Logging(context, Map.of(), false, ZoneOffset.UTC);
        assertThat(stderr(() -> {
            log.info("archived");
            log.debug("details");
        })).contains("INFO archived").doesNotContain("details");

        plain.apply(settings(LogLevel.WARN, Map.of(), Optional.empty()), "daemon");
        assertThat(stderr(() -> log.info("archived"))).isEmpty();

        plain.commandLine(LogLevel.DEBUG);
        assertThat(stderr(() -> log.debug("details"))).contains("DEBUG details");

        plain.clear();
        assertThat(plain.rootLevel()).isEqualTo(LogLevel.INFO);

        LoggerContext other = context();
        Logging fromEnvironment = new Logging(other, Map.of(Logging.LEVEL_ENV, "ERROR"), false, ZoneOffset.UTC);
        fromEnvironment.apply(settings(LogLevel.TRACE, Map.of(), Optional.empty()), "backup");
        assertThat(fromEnvironment.rootLevel()).isEqualTo(LogLevel.ERROR);
        fromEnvironment.commandLine(LogLevel.WARN);
        assertThat(fromEnvironment.rootLevel()).isEqualTo(LogLevel.WARN);
    }

    @Test
    @DisplayName("[log] levels set single packages, which keep their level whatever the overall one, until reset")
    void perPackageLevels() {
        Logging logging = new Logging(context, Map.of(), false, ZoneOffset.UTC);
        Logger s3 = context.getLogger("software.amazon.awssdk.core.Retry");
        logging.apply(settings(LogLevel.INFO, Map.of("dev.walstow.daemon", LogLevel.DEBUG,
                "software.amazon.awssdk", LogLevel.ERROR), Optional.empty()), "daemon");
        String out = stderr(() -> {
            log.debug("daemon details");
            s3.warn("sdk noise");
            context.getLogger("dev.walstow.backup.X").debug("backup details");
        });
        assertThat(out).contains("daemon details").doesNotContain("sdk noise").doesNotContain("backup details");
        logging.clear();
        assertThat(stderr(() -> log.debug("daemon details"))).isEmpty();
    }

    @Test
    @DisplayName("an invalid WALSTOW_LOG_LEVEL is said once, as a WS-CONFIG warning, and info is used")
    void invalidEnvironment() {
        String out = stderr(() -> new Logging(context, Map.of(Logging.LEVEL_ENV, "loud"), false, ZoneOffset.UTC));
        assertThat(out.lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .contains("WARN [WS-CONFIG] WALSTOW_LOG_LEVEL=\"loud\" is not a log level; logging at info")
                .contains("HINT: set it to one of error, warn, info, debug, trace"));
    }

    @Test
    @DisplayName("[log] directory: the command also logs to walstow-COMMAND.log there, timestamped even for the journal")
    void logFile() throws Exception {
        Logging logging = new Logging(context, Map.of(), true, ZoneOffset.UTC);
        Path logs = dir.resolve("logs");
        logging.apply(settings(LogLevel.INFO, Map.of(), Optional.of(logs)), "daemon");
        String console = stderr(() -> log.warn("[WS-STORAGE] repository unreachable"));
        Path file = logs.resolve("walstow-daemon.log");
        assertThat(console).isEqualTo("<4>WARN [WS-STORAGE] repository unreachable\n");
        assertThat(Files.readString(file))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN \\[WS-STORAGE] repository unreachable\n");

        logging.clear();
        stderr(() -> log.warn("after reset"));
        assertThat(Files.readString(file)).doesNotContain("after reset");
    }

    @Test
    @DisplayName("a log directory that cannot be written is said once on stderr, in words, and the command goes on")
    void unwritableLogFile() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Logging logging = new Logging(context, Map.of(), false, ZoneOffset.UTC);
        String out = stderr(() -> {
            logging.apply(settings(LogLevel.INFO, Map.of(), Optional.of(notADirectory)), "backup");
            log.info("still logging");
        });
        assertThat(out).contains("WARN [WS-LOCAL-IO] cannot write the log file " + notADirectory.resolve(
                "walstow-backup.log")).contains("HINT: make ").contains("INFO still logging")
                .doesNotContain("Exception");
    }

    private static LogSettings settings(LogLevel level, Map<String, LogLevel> levels, Optional<Path> directory) {
        return new LogSettings(level, levels, directory, 10, 5);
    }

    /** What {@code action} logs to stderr (logback's console appender writes to whatever System.err is now). */
    private static synchronized String stderr(Runnable action) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
