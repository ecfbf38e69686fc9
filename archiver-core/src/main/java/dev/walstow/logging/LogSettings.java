package dev.walstow.logging;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code [log]} table of walstow.toml (docs/configuration.md).
 *
 * @param level the level of every logger without one in {@code levels}; {@code --log-level} and
 *     {@code WALSTOW_LOG_LEVEL} override it
 * @param levels levels per logger name, i.e. per Java package or class ({@code dev.walstow.daemon},
 *     {@code software.amazon.awssdk}); they stand whatever the overall level
 * @param directory where each command also writes its log, to {@code walstow-COMMAND.log}; empty: no files
 * @param fileSizeMib a log file is rotated once it is this large
 * @param fileCount rotated files kept of each command's log ({@code .1} newest … {@code .N})
 */
public record LogSettings(LogLevel level, Map<String, LogLevel> levels, Optional<Path> directory, int fileSizeMib,
        int fileCount) {
    /** Logger names: Java package and class names. */
    private static final Pattern LOGGER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    public static final LogSettings DEFAULT = new LogSettings(LogLevel.INFO, Map.of(), Optional.empty(), 10, 5);

    public LogSettings {
        levels = Collections.unmodifiableMap(new LinkedHashMap<>(levels));
    }

    /**
     * {@code "dev.walstow.daemon=debug, software.amazon.awssdk=warn"} as a map.
     *
     * @throws IllegalArgumentException with what is wrong, in words, when a pair is not {@code LOGGER=LEVEL}
     */
    public static Map<String, LogLevel> parseLevels(String text) {
        Map<String, LogLevel> levels = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=", -1);
            if (parts.length != 2 || !LOGGER.matcher(parts[0].trim()).matches()) {
                throw new IllegalArgumentException("\"" + pair.trim() + "\" is not LOGGER=LEVEL (e.g. "
                        + "\"dev.walstow.daemon=debug\")");
            }
            LogLevel level = LogLevel.parse(parts[1]).orElseThrow(() -> new IllegalArgumentException("\""
                    + parts[1].trim() + "\" is not a level (" + String.join(", ", LogLevel.words()) + ")"));
            levels.put(parts[0].trim(), level);
        }
        return levels;
    }
}
