package dev.walstow.repo;

import dev.walstow.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The repository lock as someone else sees it ({@link RepositoryLock#active}): its holder, the holder's last sign of
 * life, its progress and what that makes it.
 *
 * @param lastSign the newest of the holder's record and heartbeat: their times as written and as stored
 * @param silence how long ago that was, by this process's clock (never negative)
 */
public record ActiveLock(LockRecord holder, Optional<LockProgress> progress, Instant lastSign, Duration silence,
        State state) {

    public enum State {
        /** Its holder is alive as far as can be told: the lock stands. */
        RUNNING,
        /** Its holder ran on this host and has exited: the next backup or expire takes it over at once. */
        EXITED,
        /** No heartbeat for longer than {@code [backup] lock-stale-after}: the next one takes it over. */
        STALE
    }

    public boolean running() {
        return state == State.RUNNING;
    }

    /** {@code backup on host db1, pid 4242, since 2026-01-21T14:03:00Z}. */
    public String describe() {
        return holder.command() + " on " + holder.describe();
    }

    /** Why it may be taken over, for the log line of a takeover and for {@code info}; empty while it runs. */
    public String reason() {
        return switch (state) {
            case RUNNING -> "";
            case EXITED -> "its process (pid " + holder.pid() + " on this host) has exited";
            case STALE -> "no heartbeat for " + Durations.text(silence.withNanos(0));
        };
    }

    /** {@code last heartbeat 4s ago}. */
    public String heartbeat() {
        return "last heartbeat " + Durations.text(silence.withNanos(0)) + " ago";
    }
}
