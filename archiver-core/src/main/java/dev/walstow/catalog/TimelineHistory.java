package dev.walstow.catalog;

import dev.walstow.error.DataError;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import java.util.ArrayList;
import java.util.List;

/**
 * The line of timelines leading to one timeline, from its {@code N.history} file: each line is
 * {@code parentTLI <tab> switchpoint <tab> reason}, oldest first. A timeline without a history file (timeline 1, or
 * a cluster never promoted) has a path of itself alone.
 */
public record TimelineHistory(List<Step> path) {

    /** WAL of {@code timeline} from {@code begin} (inclusive) to {@code end} (exclusive; null = open-ended). */
    public record Step(TimelineId timeline, Lsn begin, Lsn end) {
        public boolean covers(Lsn lsn) {
            return lsn.compareTo(begin) >= 0 && (end == null || lsn.compareTo(end) < 0);
        }
    }

    public static TimelineHistory root(TimelineId timeline) {
        return new TimelineHistory(List.of(new Step(timeline, Lsn.ZERO, null)));
    }

    public static TimelineHistory parse(TimelineId timeline, String text) {
        List<Step> steps = new ArrayList<>();
        Lsn begin = Lsn.ZERO;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            try {
                TimelineId parent = new TimelineId(Long.parseLong(fields[0]));
                Lsn switchPoint = Lsn.parse(fields[1]);
                steps.add(new Step(parent, begin, switchPoint));
                begin = switchPoint;
            } catch (RuntimeException e) {
                throw DataError.integrity("history file of timeline " + timeline + " has an unreadable line: '"
                        + line + "'", "run walstow verify", e);
            }
        }
        steps.add(new Step(timeline, begin, null));
        return new TimelineHistory(List.copyOf(steps));
    }

    public TimelineId target() {
        return path.getLast().timeline();
    }

    /** Whether WAL written on {@code timeline} at {@code lsn} is part of this history. */
    public boolean includes(TimelineId timeline, Lsn lsn) {
        return path.stream().anyMatch(s -> s.timeline().equals(timeline) && s.covers(lsn));
    }
}
