package dev.walstow.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One key of walstow.toml, declared once in {@link ConfigKeys}: where it lives, its type, default, allowed values and
 * one line of documentation. The declaration is what {@link ConfigTree} validates against, what the unknown-key check
 * knows, and what the reference tables of docs/configuration.md are generated from ({@link ConfigReference}), so a
 * key changed here changes all of them; the loader only adds what spans keys (one key needs another, a bound that
 * depends on a second key).
 */
public sealed interface ConfigKey
        permits ConfigKey.Int, ConfigKey.Dur, ConfigKey.Bool, ConfigKey.Text, ConfigKey.FilePath, ConfigKey.Choice,
        ConfigKey.IntList {

    /**
     * A TOML table, or the keys one repository type adds to {@code [repository]}.
     *
     * @param table the TOML table the key is written in
     * @param backend the {@code [repository] type} the key belongs to; empty: every type
     */
    record Section(String table, Optional<String> backend) {
        public Section {
            Objects.requireNonNull(table);
            Objects.requireNonNull(backend);
        }

        public static Section of(String table) {
            return new Section(table, Optional.empty());
        }

        /** {@code repository} or {@code repository/s3}: how docs/configuration.md's table markers name it. */
        public String id() {
            return table + backend.map(b -> "/" + b).orElse("");
        }
    }

    Section section();

    String name();

    /** One line for the reference table (markdown). */
    String doc();

    /** The default as the reference table shows it (markdown): the value, or words where there is none. */
    String shownDefault();

    /** The allowed values as the reference table shows them (markdown), e.g. {@code 1–64}. */
    String allowed();

    /** {@code table.name}, as every error message names the key. */
    default String path() {
        return section().table() + "." + name();
    }

    record Int(Section section, String name, int defaultValue, int min, int max, String doc) implements ConfigKey {
        public Int {
            if (defaultValue < min || defaultValue > max) {
                throw new IllegalArgumentException(name + ": default outside its range");
            }
        }

        @Override
        public String shownDefault() {
            return "`" + defaultValue + "`";
        }

        @Override
        public String allowed() {
            return min + "–" + max;
        }
    }

    /** A duration, written with one syntax everywhere ({@link Durations}). */
    record Dur(Section section, String name, Duration defaultValue, Duration min, Duration max, String doc)
            implements ConfigKey {
        public Dur {
            if (defaultValue.compareTo(min) < 0 || defaultValue.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + ": default outside its range");
            }
        }

        @Override
        public String shownDefault() {
            return "`\"" + Durations.text(defaultValue) + "\"`";
        }

        @Override
        public String allowed() {
            return Durations.text(min) + " – " + Durations.text(max);
        }
    }

    record Bool(Section section, String name, boolean defaultValue, String doc) implements ConfigKey {
        @Override
        public String shownDefault() {
            return "`" + defaultValue + "`";
        }

        @Override
        public String allowed() {
            return "`true`, `false`";
        }
    }

    /**
     * A non-empty string.
     *
     * @param defaultValue the value when the key is absent; empty: none (then {@code noDefault} says what happens)
     * @param noDefault how the reference shows a missing default (ignored when there is one)
     * @param allowedText what the string may be, for the reference (the loader checks formats that span more than
     *     a type)
     */
    record Text(Section section, String name, Optional<String> defaultValue, String noDefault, String allowedText,
            String doc) implements ConfigKey {
        @Override
        public String shownDefault() {
            return defaultValue.map(v -> "`\"" + v + "\"`").orElse(noDefault);
        }

        @Override
        public String allowed() {
            return allowedText;
        }
    }

    /** An absolute path (PostgreSQL runs walstow from the data directory, so a relative one would move). */
    record FilePath(Section section, String name, String noDefault, String doc) implements ConfigKey {
        @Override
        public String shownDefault() {
            return noDefault;
        }

        @Override
        public String allowed() {
            return "absolute path";
        }
    }

    /** One of a fixed set of words. */
    record Choice(Section section, String name, String defaultValue, List<String> values, String doc)
            implements ConfigKey {
        public Choice {
            values = List.copyOf(values);
            if (!values.contains(defaultValue)) {
                throw new IllegalArgumentException(name + ": default is not one of its values");
            }
        }

        @Override
        public String shownDefault() {
            return "`\"" + defaultValue + "\"`";
        }

        @Override
        public String allowed() {
            return String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
        }
    }

    /** A list of integers; absent: the empty list. */
    record IntList(Section section, String name, int min, int max, String allowedText, String doc)
            implements ConfigKey {
        @Override
        public String shownDefault() {
            return "`[]`";
        }

        @Override
        public String allowed() {
            return allowedText;
        }
    }
}
