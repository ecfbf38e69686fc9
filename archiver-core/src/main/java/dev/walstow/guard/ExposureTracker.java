package dev.walstow.guard;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * When WAL that is not yet archived was first written, from periodic observations of the write position.
 *
 * <p>Each observation that finds WAL in newer segments records one entry: "segments up to K first got WAL after
 * time T", T being the previous observation. So for any segment the earliest write is at or after the value of the
 * smallest recorded key at or above it; using T (not the observation's own time) errs on the side of reporting
 * more exposure, never less, by at most one observation interval. Entries below the archived frontier are dropped;
 * past {@link #MAX_ENTRIES} the two oldest are merged keeping the earlier time (still conservative), so memory is
 * bounded however long the store is down.
 */
final class ExposureTracker {
    static final int MAX_ENTRIES = 100_000;

    private final TreeMap<Long, Instant> firstWrite = new TreeMap<>();
    private long timeline = -1;
    private long lastWithWal = -1;
    private Instant previous;

    /**
     * @param segmentsWithWal the highest segment number holding WAL now (the current one if it has any, else the
     *     one before)
     * @param seed for the very first observation: a lower bound on when that segment's WAL was written, from file
     *     times (nothing better is known about WAL written before the daemon started)
     */
    void observe(long timelineId, long segmentsWithWal, Instant now, Instant seed) {
        if (timelineId != timeline) {
            firstWrite.clear(); // a new timeline numbers its segments afresh for archiving purposes
            timeline = timelineId;
            lastWithWal = -1;
            previous = null;
        }
        if (segmentsWithWal > lastWithWal) {
            firstWrite.put(segmentsWithWal, previous != null ? previous : min(seed, now));
            lastWithWal = segmentsWithWal;
        }
        previous = now;
        if (firstWrite.size() > MAX_ENTRIES) {
            Map.Entry<Long, Instant> oldest = firstWrite.pollFirstEntry();
            firstWrite.merge(firstWrite.firstKey(), oldest.getValue(), ExposureTracker::min);
        }
    }

    /** Everything before {@code segment} is durable: forget it. */
    void archivedBefore(long segment) {
        firstWrite.headMap(segment, false).clear();
    }

    /** The earliest time WAL in {@code segment} may have been written, if an observation covers it. */
    Optional<Instant> firstWrite(long segment) {
        Map.Entry<Long, Instant> e = firstWrite.ceilingEntry(segment);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    int entries() {
        return firstWrite.size();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
