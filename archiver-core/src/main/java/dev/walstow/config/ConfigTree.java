package dev.walstow.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating reads from a parsed TOML tree. Every mistake is collected (not thrown) as one line naming the
 * key, what is wrong and what is expected, so a user sees all of them in one run instead of fixing one per start.
 */
final class ConfigTree {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|min|m|h|d)");

    private final JsonNode root;
    private final List<String> errors = new ArrayList<>();

    ConfigTree(JsonNode root) {
        this.root = root;
    }

    List<String> errors() {
        return errors;
    }

    void error(String key, String problem) {
        errors.add(key + ": " + problem);
    }

    void error(ConfigKey key, String problem) {
        error(key.path(), problem);
    }

    /** Reports every key that {@link ConfigKeys} does not declare (and every unknown table). */
    void rejectUndeclared() {
        rejectUnknown("", ConfigKeys.tables());
        ConfigKeys.tables().forEach(table -> rejectUnknown(table, ConfigKeys.names(table)));
    }

    boolean has(ConfigKey key) {
        return has(key.section().table(), key.name());
    }

    int get(ConfigKey.Int key) {
        return integer(key.section().table(), key.name(), key.defaultValue(), key.min(), key.max());
    }

    Duration get(ConfigKey.Dur key) {
        return duration(key.section().table(), key.name(), key.defaultValue(), key.min(), key.max());
    }

    boolean get(ConfigKey.Bool key) {
        return bool(key.section().table(), key.name(), key.defaultValue());
    }

    /** The value, else the declared default; empty only for a key without one (or a mistake, reported). */
    Optional<String> get(ConfigKey.Text key) {
        if (has(key)) {
            return string(key.section().table(), key.name());
        }
        return key.defaultValue();
    }

    Optional<Path> get(ConfigKey.FilePath key) {
        return absolutePath(key.section().table(), key.name());
    }

    /** One of the declared words; a mistake is reported with them, and the default stands in. */
    String get(ConfigKey.Choice key) {
        return choice(key).orElse(key.defaultValue());
    }

    /** The word written, or the default when none is; empty when a wrong one is written (reported). */
    Optional<String> choice(ConfigKey.Choice key) {
        if (!has(key)) {
            return Optional.of(key.defaultValue());
        }
        Optional<String> value = string(key.section().table(), key.name());
        if (value.isPresent() && !key.values().contains(value.get())) {
            error(key, "must be " + quotedChoices(key.values()) + ", got \"" + value.get() + "\"");
            return Optional.empty();
        }
        return value;
    }

    /** {@code "a", "b" or "c"}. */
    private static String quotedChoices(List<String> values) {
        List<String> quoted = values.stream().map(v -> "\"" + v + "\"").toList();
        return quoted.size() == 1 ? quoted.getFirst()
                : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.getLast();
    }

    List<Integer> get(ConfigKey.IntList key) {
        return integers(key.section().table(), key.name(), key.min(), key.max());
    }

    /** Reports every key that is not declared, with the declared ones, so typos do not silently fall back to defaults. */
    private void rejectUnknown(String table, Set<String> known) {
        JsonNode node = table.isEmpty() ? root : root.get(table);
        if (node == null || !node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                String where = table.isEmpty() ? name : table + "." + name;
                error(where, "unknown key (known here: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    boolean has(String table, String key) {
        JsonNode t = root.get(table);
        return t != null && t.isObject() && t.has(key);
    }

    boolean hasTable(String table) {
        JsonNode node = root.get(table);
        return node != null && node.isObject();
    }

    private Optional<JsonNode> node(String table, String key) {
        JsonNode t = root.get(table);
        if (t == null) {
            return Optional.empty();
        }
        if (!t.isObject()) {
            error(table, "must be a table ([" + table + "])");
            return Optional.empty();
        }
        return Optional.ofNullable(t.get(key));
    }

    private Optional<String> string(String table, String key) {
        Optional<JsonNode> n = node(table, key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (!n.get().isTextual() || n.get().asText().isBlank()) {
            error(table + "." + key, "must be a non-empty string");
            return Optional.empty();
        }
        return Optional.of(n.get().asText());
    }

    private Optional<Path> absolutePath(String table, String key) {
        Optional<String> s = string(table, key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(s.get());
        if (!p.isAbsolute()) {
            error(table + "." + key, "must be an absolute path (PostgreSQL runs walstow from the data directory), got \""
                    + s.get() + "\"");
            return Optional.empty();
        }
        return Optional.of(p.normalize());
    }

    private int integer(String table, String key, int defaultValue, int min, int max) {
        Optional<JsonNode> n = node(table, key);
        if (n.isEmpty()) {
            return defaultValue;
        }
        if (!n.get().isIntegralNumber() || n.get().asLong() < min || n.get().asLong() > max) {
            error(table + "." + key, "must be an integer from " + min + " to " + max + ", got " + n.get());
            return defaultValue;
        }
        return n.get().asInt();
    }

    private List<Integer> integers(String table, String key, int min, int max) {
        Optional<JsonNode> n = node(table, key);
        if (n.isEmpty()) {
            return List.of();
        }
        List<Integer> values = new ArrayList<>();
        if (n.get().isArray()) {
            for (JsonNode e : n.get()) {
                if (e.isIntegralNumber() && e.asLong() >= min && e.asLong() <= max) {
                    values.add(e.asInt());
                } else {
                    error(table + "." + key, "must be a list of integers from " + min + " to " + max + ", got " + n.get());
                    return List.of();
                }
            }
            return values;
        }
        error(table + "." + key, "must be a list like [1001, 1002], got " + n.get());
        return List.of();
    }

    private boolean bool(String table, String key, boolean defaultValue) {
        Optional<JsonNode> n = node(table, key);
        if (n.isEmpty()) {
            return defaultValue;
        }
        if (!n.get().isBoolean()) {
            error(table + "." + key, "must be true or false, got " + n.get());
            return defaultValue;
        }
        return n.get().asBoolean();
    }

    /** One syntax for every duration: a whole number and a unit, ms, s, min (or m), h, d. */
    static final String DURATION_SYNTAX = "a whole number and a unit (\"500ms\", \"30s\", \"15min\", \"1h\", \"7d\")";

    private Duration duration(String table, String key, Duration defaultValue, Duration min, Duration max) {
        Optional<JsonNode> n = node(table, key);
        if (n.isPresent() && n.get().isNumber()) {
            // A bare number has no unit, and guessing one (seconds? milliseconds?) is how timeouts end up 1000x off.
            error(table + "." + key, "must be a duration, " + DURATION_SYNTAX + ", in quotes; got the bare number "
                    + n.get() + " (write e.g. \"" + n.get() + "ms\" or \"" + n.get() + "s\")");
            return defaultValue;
        }
        Optional<String> s = string(table, key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> parsed = parseDuration(s.get());
        if (parsed.isEmpty() || parsed.get().compareTo(min) < 0 || parsed.get().compareTo(max) > 0) {
            error(table + "." + key, "must be a duration, " + DURATION_SYNTAX + ", from " + Durations.text(min)
                    + " to " + Durations.text(max) + "; got \"" + s.get() + "\"");
            return defaultValue;
        }
        return parsed.get();
    }

    static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "min", "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }
}
