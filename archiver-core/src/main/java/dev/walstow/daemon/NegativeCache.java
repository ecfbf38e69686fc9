package dev.walstow.daemon;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names the repository positively reported missing, remembered for {@code [daemon] negative-cache-ttl}. At the
 * end of the archive PostgreSQL asks for the next segment over and over (and a standby in archive-recovery polls
 * it every few seconds); answering from memory spares the store. Only a positive "not there" may enter.
 */
final class NegativeCache {
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Long> expiry = new ConcurrentHashMap<>();

    NegativeCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    void remember(String name) {
        if (ttlNanos > 0) {
            expiry.put(name, System.nanoTime() + ttlNanos);
        }
    }

    boolean isMissing(String name) {
        Long until = expiry.get(name);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until >= 0) {
            expiry.remove(name, until);
            return false;
        }
        return true;
    }

    void purgeExpired() {
        long now = System.nanoTime();
        expiry.entrySet().removeIf(e -> now - e.getValue() >= 0);
    }
}
