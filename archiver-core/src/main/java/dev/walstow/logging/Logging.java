package dev.walstow.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * walstow's logging: logback behind slf4j, set up in code (no XML to parse on every start).
 *
 * <ul>
 *   <li>Every line goes to stderr ({@link LogLayout}: ISO timestamp, level, message; under systemd, when stderr is
 *       the journal, the sd-daemon priority instead of the timestamp).</li>
 *   <li>The overall level is, first found: {@code --log-level}, {@code WALSTOW_LOG_LEVEL}, {@code [log] level},
 *       {@code info}. {@code [log] levels} sets single loggers (packages) whatever the overall level.</li>
 *   <li>With {@code [log] directory}, each command also writes {@code walstow-COMMAND.log} there, rotated by size.</li>
 * </ul>
 *
 * <p>One instance per logback context; {@link LogbackConfigurator} makes the process's when logback starts, and the
 * static methods act on it (a no-op when slf4j is bound to something else).
 */
public final class Logging {
    /** The environment variable that sets the level when {@code --log-level} does not. */
    public static final String LEVEL_ENV = "WALSTOW_LOG_LEVEL";
    static final String CONSOLE = "console";
    static final String FILE = "file";

    private static Logging current;

    private final LoggerContext context;
    private final Optional<LogLevel> environment;
    private final boolean journal;
    private final ZoneId zone;
    private final Set<String> tuned = new HashSet<>();
    private Optional<LogLevel> commandLine = Optional.empty();
    private LogSettings settings = LogSettings.DEFAULT;

    /**
     * Attaches the stderr appender to {@code context}'s root logger.
     *
     * @param environment the process environment ({@value #LEVEL_ENV}; {@code JOURNAL_STREAM} is only believed when
     *     {@code journal} says stderr is that stream)
     * @param journal whether stderr is the journal ({@link JournalStream#isStderr})
     */
    Logging(LoggerContext context, Map<String, String> environment, boolean journal, ZoneId zone) {
        this.context = context;
        this.journal = journal;
        this.zone = zone;
        String word = environment.get(LEVEL_ENV);
        this.environment = word == null || word.isBlank() ? Optional.empty() : LogLevel.parse(word);
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setName(CONSOLE);
        console.setTarget("System.err");
        start(console, journal);
        root().addAppender(console);
        applyLevels();
        if (word != null && !word.isBlank() && this.environment.isEmpty()) {
            log().warn(ErrorCode.CONFIG.line(LEVEL_ENV + "=\"" + word + "\" is not a log level; logging at "
                    + rootLevel().word(), "set it to one of " + String.join(", ", LogLevel.words())));
        }
    }

    /** {@code --log-level}: wins over the environment and the configuration file. */
    public static void commandLineLevel(LogLevel level) {
        withCurrent(logging -> logging.commandLine(level));
    }

    /** The configuration's {@code [log]} table, for {@code command}'s log file. */
    public static void configure(LogSettings settings, String command) {
        withCurrent(logging -> logging.apply(settings, command));
    }

    /** Back to the state logback started in: no {@code --log-level}, no configuration (for every CLI run). */
    public static void reset() {
        withCurrent(Logging::clear);
    }

    static synchronized void install(Logging logging) {
        current = logging;
    }

    private static void withCurrent(java.util.function.Consumer<Logging> action) {
        // The first logger call starts logback, which installs this process's instance.
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return;
        }
        synchronized (Logging.class) {
            if (current != null) {
                action.accept(current);
            }
        }
    }

    synchronized void commandLine(LogLevel level) {
        commandLine = Optional.of(level);
        applyLevels();
    }

    synchronized void clear() {
        commandLine = Optional.empty();
        settings = LogSettings.DEFAULT;
        detachFile();
        applyLevels();
    }

    synchronized void apply(LogSettings newSettings, String command) {
        settings = newSettings;
        applyLevels();
        detachFile();
        newSettings.directory().ifPresent(directory -> attachFile(directory.resolve("walstow-" + command + ".log")));
    }

    /** The overall level now: {@code --log-level}, else the environment, else {@code [log] level}. */
    synchronized LogLevel rootLevel() {
        return commandLine.or(() -> environment).orElse(settings.level());
    }

    private void applyLevels() {
        root().setLevel(rootLevel().logback());
        for (String name : tuned) {
            context.getLogger(name).setLevel(null);
        }
        tuned.clear();
        settings.levels().forEach((name, level) -> {
            context.getLogger(name).setLevel(level.logback());
            tuned.add(name);
        });
    }

    private void attachFile(Path file) {
        // logback would only put a failure into its status list; say it on stderr, in words, and go on without.
        try {
            Files.createDirectories(file.getParent());
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (IOException | SecurityException e) {
            log().warn(ErrorCode.LOCAL_IO.line("cannot write the log file " + file + " (" + Failures.describe(e)
                    + "); logging to stderr only", "make " + file.getParent() + " writable by the user walstow runs "
                    + "as (the PostgreSQL OS user), or remove [log] directory"));
            return;
        }
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setName(FILE);
        appender.setContext(context);
        appender.setFile(file.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(settings.fileCount());
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf(settings.fileSizeMib() + "MB"));
        // The size is looked at once a second at most (logback's default: once a minute).
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildBySeconds(1));
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        start(appender, false);
        root().addAppender(appender);
    }

    private void detachFile() {
        Appender<ILoggingEvent> file = root().getAppender(FILE);
        if (file != null) {
            root().detachAppender(file);
            file.stop();
        }
    }

    /** Files always get timestamps: journald's priorities are for the stream it reads. */
    private void start(ch.qos.logback.core.OutputStreamAppender<ILoggingEvent> appender, boolean forJournal) {
        LogLayout layout = new LogLayout(forJournal, zone);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.setLayout(layout);
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
    }

    private Logger root() {
        return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private org.slf4j.Logger log() {
        return context.getLogger(Logging.class);
    }

    boolean journal() {
        return journal;
    }
}
