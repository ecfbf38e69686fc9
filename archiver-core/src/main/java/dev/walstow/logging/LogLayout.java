package dev.walstow.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One form for every line walstow logs: {@code 2026-01-21T14:03:00.123+01:00 WARN message}, ISO 8601 in the host's
 * time zone. For the journal ({@link JournalStream}) the timestamp, which journald adds itself, gives way to the
 * level's sd-daemon(3) priority, {@code <4>WARN message}, on every line of the event (a stack trace included), so
 * that {@code journalctl -p} filters them.
 */
final class LogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private final boolean journal;
    private final ZoneId zone;

    LogLayout(boolean journal, ZoneId zone) {
        this.journal = journal;
        this.zone = zone;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        LogLevel level = LogLevel.of(event.getLevel());
        StringBuilder text = new StringBuilder(level.name()).append(' ').append(event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            text.append('\n').append(ThrowableProxyUtil.asString(thrown));
        }
        if (!journal) {
            return TIME.format(event.getInstant().atZone(zone)) + " " + text.toString().stripTrailing() + "\n";
        }
        String priority = "<" + level.journalPriority() + ">";
        StringBuilder out = new StringBuilder();
        text.toString().lines().forEach(line -> out.append(priority).append(line).append('\n'));
        return out.toString();
    }
}
