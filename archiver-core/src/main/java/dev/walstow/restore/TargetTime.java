package dev.walstow.restore;

import dev.walstow.error.UserError;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --target-time}: what PostgreSQL's {@code recovery_target_time} takes, read once into an instant and handed
 * to PostgreSQL in one canonical form ({@code 2026-01-21 14:03:00.25+00}), so that walstow's choice of backup and
 * PostgreSQL's stop point are made on the same instant.
 *
 * <p>Accepted: a date, {@code T} or a space, {@code HH:MM[:SS[.fraction]]}, then a zone: {@code Z}, {@code UTC},
 * {@code GMT}, an offset ({@code +01}, {@code +01:00}, {@code +0100}, {@code -05}), or a region such as
 * {@code Europe/Berlin}; a space may precede the zone. A zone is required: without one, walstow and PostgreSQL could
 * read the same text in different time zones and disagree on which backup is old enough. PostgreSQL keeps
 * microseconds, so finer fractions are cut to microseconds (for the choice of backup too).
 */
final class TargetTime {
    private static final Pattern FORM = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[Tt ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?) *(.*)");
    private static final Pattern OFFSET = Pattern.compile("([+-])(\\d{1,2})(?::?(\\d{2}))?");
    private static final DateTimeFormatter CANONICAL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

    private TargetTime() {}

    static Instant parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw invalid(text, "is not a time");
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(m.group(1) + "T" + m.group(2));
        } catch (DateTimeException e) {
            throw invalid(text, "is not a time");
        }
        ZoneId zone = zone(text, m.group(3).strip());
        return local.atZone(zone).toInstant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The instant as PostgreSQL prints a timestamptz in UTC: {@code 2026-01-21 14:03:00.25+00}. */
    static String canonical(Instant t) {
        StringBuilder sb = new StringBuilder(CANONICAL.format(t.atOffset(ZoneOffset.UTC)));
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            String fraction = String.format(Locale.ROOT, "%06d", micros).replaceFirst("0+$", "");
            sb.append('.').append(fraction);
        }
        return sb.append("+00").toString();
    }

    private static ZoneId zone(String text, String zone) {
        if (zone.isEmpty()) {
            throw invalid(text, "has no time zone (UTC offset)");
        }
        String upper = zone.toUpperCase(Locale.ROOT);
        if (upper.equals("Z") || upper.equals("UTC") || upper.equals("GMT")) {
            return ZoneOffset.UTC;
        }
        Matcher offset = OFFSET.matcher(zone);
        if (offset.matches()) {
            int hours = Integer.parseInt(offset.group(2));
            int minutes = offset.group(3) == null ? 0 : Integer.parseInt(offset.group(3));
            int sign = offset.group(1).equals("-") ? -1 : 1;
            try {
                return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
            } catch (DateTimeException e) {
                throw invalid(text, "has an offset out of range");
            }
        }
        if (zone.contains("/")) {
            try {
                return ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw invalid(text, "names an unknown time zone " + zone);
            }
        }
        throw invalid(text, "has a time zone walstow does not read (" + zone + ")");
    }

    private static UserError invalid(String text, String what) {
        return UserError.usage("--target-time '" + text + "' " + what + "; it needs a date, a time and a UTC offset "
                + "or zone", "write it as PostgreSQL prints timestamptz, e.g. '2026-01-21 14:03:00.25+00', or "
                + "'2026-01-21 14:03:00 UTC', '2026-01-21T14:03:00Z', '2026-01-21 15:03:00+01:00', "
                + "'2026-01-21 15:03:00 Europe/Berlin'");
    }
}
