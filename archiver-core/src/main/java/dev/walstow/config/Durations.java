package dev.walstow.config;

import java.time.Duration;
import java.util.Optional;

/** Durations as the configuration file spells them ("500ms", "10s", "15min", "24h", "7d"), for command-line options. */
public final class Durations {
    private Durations() {}

    public static Optional<Duration> parse(String text) {
        return ConfigTree.parseDuration(text);
    }

    /** The largest whole unit: 7d, 36h, 90min, 5s, 250ms. */
    public static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "min";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
