package dev.walstow.restore;

import dev.walstow.error.UserError;
import dev.walstow.wal.Lsn;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where recovery should stop, as PostgreSQL's recovery_target_* settings say it. The value is handed to PostgreSQL
 * as given; walstow parses it only to choose a backup and to know how much WAL is needed.
 *
 * @param timeline recovery_target_timeline: {@code latest} (PostgreSQL's default), {@code current} or a number
 * @param action recovery_target_action, or empty for PostgreSQL's default (pause)
 */
public record RecoveryTarget(Kind kind, String value, String timeline, Optional<String> action) {

    public enum Kind { TIME, LSN, XID, NAME, IMMEDIATE, LATEST }

    /**
     * Times must carry an offset ({@code +00}, {@code +01:00}, {@code Z}): without one, walstow and PostgreSQL could
     * read the same text in different time zones and disagree on which backup is old enough.
     */
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendOffset("+HH:mm", "Z")
            .toFormatter();
    private static final DateTimeFormatter TIME_SHORT_OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH", "Z")
            .toFormatter();

    public RecoveryTarget {
        if (!timeline.equals("latest") && !timeline.equals("current") && !timeline.matches("[1-9][0-9]{0,9}")) {
            throw UserError.usage("--target-timeline '" + timeline + "' is not latest, current or a number",
                    "pass e.g. --target-timeline 2 (decimal, as PostgreSQL takes it)");
        }
        if (action.isPresent() && !List.of("promote", "pause", "shutdown").contains(action.get())) {
            throw UserError.usage("--target-action '" + action.get() + "' is not promote, pause or shutdown",
                    "pass one of promote, pause, shutdown");
        }
        if (kind == Kind.TIME) {
            parseTime(value);
        } else if (kind == Kind.LSN) {
            Lsn.parse(value);
        } else if (kind == Kind.XID && !value.matches("[0-9]{1,20}")) {
            throw UserError.usage("--target-xid '" + value + "' is not a transaction id", "pass a number");
        }
    }

    public Instant time() {
        return parseTime(value);
    }

    public Lsn lsn() {
        return Lsn.parse(value);
    }

    static Instant parseTime(String text) {
        for (DateTimeFormatter f : List.of(TIME, TIME_SHORT_OFFSET)) {
            try {
                return OffsetDateTime.parse(text.strip(), f).toInstant();
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        throw UserError.usage("--target-time '" + text + "' is not a time with a UTC offset",
                "write it as PostgreSQL prints timestamptz, e.g. '2026-01-21 14:03:00.25+00' or ISO-8601 "
                        + "'2026-01-21T14:03:00Z'");
    }

    /** The postgresql.auto.conf lines for this target (restore_command is added by the caller). */
    public List<String> settings() {
        List<String> lines = new ArrayList<>();
        switch (kind) {
            case TIME -> lines.add(setting("recovery_target_time", value));
            case LSN -> lines.add(setting("recovery_target_lsn", value));
            case XID -> lines.add(setting("recovery_target_xid", value));
            case NAME -> lines.add(setting("recovery_target_name", value));
            case IMMEDIATE -> lines.add(setting("recovery_target", "immediate"));
            case LATEST -> { }
        }
        lines.add(setting("recovery_target_timeline", timeline));
        if (kind != Kind.LATEST) {
            action.ifPresent(a -> lines.add(setting("recovery_target_action", a)));
        }
        return lines;
    }

    /** {@code name = 'value'} with quotes doubled, as postgresql.conf parses it. */
    static String setting(String name, String value) {
        return name + " = '" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    public String describe() {
        return switch (kind) {
            case IMMEDIATE -> "the end of the backup (immediate)";
            case LATEST -> "the end of the archive (latest)";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        };
    }
}
