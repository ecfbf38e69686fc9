package dev.walstow.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The holder of one generation of the repository lock ({@code lock/GENERATION.json}, see {@link RepositoryLock}):
 * written once, create-only, by the process that took the lock.
 *
 * @param token random, per acquisition: tells this holder from any other, also one with the same pid
 * @param command what holds it: {@code backup} or {@code expire}
 * @param process the holder's {@code LocalProcess} token (boot id, pid namespace, pid, start time), or null
 * @param since when it took the lock (its clock)
 */
public record LockRecord(
        @JsonProperty("format") int format,
        @JsonProperty("generation") long generation,
        @JsonProperty("token") String token,
        @JsonProperty("command") String command,
        @JsonProperty("host") String host,
        @JsonProperty("user") String user,
        @JsonProperty("pid") long pid,
        @JsonProperty("process") String process,
        @JsonProperty("since") String since) {

    public static final int FORMAT = 1;

    public Instant sinceInstant() {
        return Instant.parse(since);
    }

    /** {@code host db1, pid 4242, since 2026-01-21T14:03:00Z}. */
    public String describe() {
        return "host " + host + ", pid " + pid + ", since " + since;
    }
}
