package dev.walstow.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogLayoutTest {
    private static final Instant AT = Instant.parse("2026-01-21T14:03:00.123Z");
    private final LoggerContext context = new LoggerContext();

    @Test
    @DisplayName("a line is ISO timestamp (host time zone, with its offset), level and message")
    void timestamped() {
        assertThat(new LogLayout(false, ZoneOffset.UTC).doLayout(event(Level.WARN, "late", null)))
                .isEqualTo("2026-01-21T14:03:00.123Z WARN late\n");
        assertThat(new LogLayout(false, ZoneId.of("Europe/Berlin")).doLayout(event(Level.INFO, "ok", null)))
                .isEqualTo("2026-01-21T15:03:00.123+01:00 INFO ok\n");
    }

    @Test
    @DisplayName("for the journal, each level carries its sd-daemon priority instead of a timestamp")
    void journalPriorities() {
        LogLayout journal = new LogLayout(true, ZoneOffset.UTC);
        assertThat(journal.doLayout(event(Level.ERROR, "m", null))).isEqualTo("<3>ERROR m\n");
        assertThat(journal.doLayout(event(Level.WARN, "m", null))).isEqualTo("<4>WARN m\n");
        assertThat(journal.doLayout(event(Level.INFO, "m", null))).isEqualTo("<6>INFO m\n");
        assertThat(journal.doLayout(event(Level.DEBUG, "m", null))).isEqualTo("<7>DEBUG m\n");
        assertThat(journal.doLayout(event(Level.TRACE, "m", null))).isEqualTo("<7>TRACE m\n");
    }

    @Test
    @DisplayName("for the journal, every line of a stack trace carries the event's priority, so -p err shows it whole")
    void journalStackTrace() {
        String text = new LogLayout(true, ZoneOffset.UTC).doLayout(event(Level.ERROR, "[WS-INTERNAL] bug",
                new IllegalStateException("boom")));
        assertThat(text.lines().toList()).hasSizeGreaterThan(2).allSatisfy(line -> assertThat(line).startsWith("<3>"));
        assertThat(text).startsWith("<3>ERROR [WS-INTERNAL] bug\n<3>").contains("boom");
    }

    @Test
    @DisplayName("a stack trace follows its timestamped line without a timestamp of its own, and ends the event")
    void timestampedStackTrace() {
        String text = new LogLayout(false, ZoneOffset.UTC).doLayout(event(Level.ERROR, "bug",
                new IllegalStateException("boom")));
        assertThat(text).startsWith("2026-01-21T14:03:00.123Z ERROR bug\n").contains("boom").endsWith("\n")
                .doesNotEndWith("\n\n");
    }

    private LoggingEvent event(Level level, String message, Throwable thrown) {
        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.walstow.test"), level, message, thrown,
                null);
        event.setInstant(AT);
        return event;
    }
}
