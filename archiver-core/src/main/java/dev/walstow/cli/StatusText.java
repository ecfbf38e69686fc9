package dev.walstow.cli;

import dev.walstow.metrics.StatusReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The human form of a {@link StatusReport}: one screen, most important first. */
final class StatusText {
    private StatusText() {}

    static String render(StatusReport r, Instant now) {
        StringBuilder s = new StringBuilder();
        StatusReport.Daemon d = r.daemon();
        line(s, "walstow daemon up since " + d.startedAt() + " (pid " + d.pid() + ", " + d.version()
                + "), repository " + d.repository());
        StatusReport.Rpo rpo = r.rpo();
        row(s, "RPO", (rpo.breached() ? "BREACHED" : "held") + ": exposure " + rpo.exposureSeconds()
                + " s of " + rpo.targetSeconds() + " s (guard " + rpo.guard().replace('_', ' ') + ")"
                + (rpo.note() == null ? "" : "; " + rpo.note()));
        StatusReport.Backlog b = r.backlog();
        row(s, "backlog", b.files() + " files, " + bytes(b.bytes()) + (b.oldest() == null ? ""
                : " (oldest " + b.oldest() + ", " + b.oldestAgeSeconds() + " s old)"));
        StatusReport.Archived a = r.archived();
        row(s, "last archive", a.lastSegment() == null ? "none since the daemon started"
                : a.lastSegment() + " at " + a.lastAt() + " (" + Duration.between(Instant.parse(a.lastAt()), now)
                        .toSeconds() + " s ago)");
        row(s, "archived", String.format(Locale.ROOT, "%d files, %s WAL -> %s stored (ratio %.1f)", a.files(),
                bytes(a.walBytes()), bytes(a.storedBytes()), a.compressionRatio()));
        row(s, "WAL rate", bytes(r.throughput().walBytesPerSecond()) + "/s (last minute)");
        if (r.lastErrors().isEmpty()) {
            row(s, "last errors", "none");
        } else {
            row(s, "last errors", "");
            r.lastErrors().stream().limit(5).forEach(e -> line(s, "  " + e.at() + " " + e.operation() + " "
                    + e.file() + ": " + e.message()));
        }
        return s.toString();
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static void row(StringBuilder s, String label, String value) {
        line(s, String.format("%-12s %s", label, value));
    }

    private static void line(StringBuilder s, String text) {
        s.append(text).append('\n');
    }
}
