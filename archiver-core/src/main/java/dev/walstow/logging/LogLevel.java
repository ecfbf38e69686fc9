package dev.walstow.logging;

import ch.qos.logback.classic.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The levels walstow logs at, as {@code --log-level}, {@code WALSTOW_LOG_LEVEL} and {@code [log] level} spell them,
 * with the syslog priority journald records for each (sd-daemon(3): {@code <3>} err, {@code <4>} warning,
 * {@code <6>} info, {@code <7>} debug), so that {@code journalctl -p err -u walstow} shows the errors only.
 */
public enum LogLevel {
    ERROR(Level.ERROR, 3),
    WARN(Level.WARN, 4),
    INFO(Level.INFO, 6),
    DEBUG(Level.DEBUG, 7),
    TRACE(Level.TRACE, 7);

    private final Level logback;
    private final int priority;

    LogLevel(Level logback, int priority) {
        this.logback = logback;
        this.priority = priority;
    }

    /** The word users write: {@code error}, {@code warn}, {@code info}, {@code debug}, {@code trace}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The syslog priority (0 emerg … 7 debug) journald records for a line at this level. */
    public int journalPriority() {
        return priority;
    }

    Level logback() {
        return logback;
    }

    /** Every word, most severe first. */
    public static List<String> words() {
        return Arrays.stream(values()).map(LogLevel::word).toList();
    }

    /** The level a word names, in any case; empty for anything else. */
    public static Optional<LogLevel> parse(String word) {
        if (word == null) {
            return Optional.empty();
        }
        String w = word.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(l -> l.word().equals(w)).findFirst();
    }

    /** The level of a logback event (logback's ALL and OFF are never an event's level). */
    static LogLevel of(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> ERROR;
            case Level.WARN_INT -> WARN;
            case Level.INFO_INT -> INFO;
            case Level.DEBUG_INT -> DEBUG;
            default -> TRACE;
        };
    }
}
