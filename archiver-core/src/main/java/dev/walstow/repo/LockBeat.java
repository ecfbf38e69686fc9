package dev.walstow.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One heartbeat of a lock holder ({@code lock/GENERATION.beat.SEQ.json}, see {@link RepositoryLock}): when (its
 * clock) and, if it reports any, how far it has come.
 */
public record LockBeat(
        @JsonProperty("format") int format,
        @JsonProperty("seq") long seq,
        @JsonProperty("time") String time,
        @JsonProperty("progress") LockProgress progress) {

    public Instant timeInstant() {
        return Instant.parse(time);
    }
}
