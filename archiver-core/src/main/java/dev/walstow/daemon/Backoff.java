package dev.walstow.daemon;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delay before the next try of a name that failed: doubling from {@code initial}, capped, with jitter so that a
 * backlog that failed together does not retry in lock-step against a store that is just coming back.
 */
record Backoff(Duration initial, Duration max) {

    Duration after(int failures) {
        long base = initial.toMillis();
        for (int i = 1; i < failures && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.max(1, Math.min(base, max.toMillis()));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
}
