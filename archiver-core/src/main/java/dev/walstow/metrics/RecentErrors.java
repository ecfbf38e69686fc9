package dev.walstow.metrics;

import dev.walstow.agent.ErrorCode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/** The last few failures, newest first, for {@code walstow status}: what a person needs to start looking. */
public final class RecentErrors {
    public record Entry(Instant at, String operation, String fileName, String kind, String message) {}

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    public RecentErrors(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(String operation, String fileName, ErrorCode kind, String message) {
        if (entries.size() == capacity) {
            entries.removeLast();
        }
        entries.addFirst(new Entry(Instant.now(), operation, fileName, kind.id(), message));
    }

    public synchronized List<Entry> list() {
        return List.copyOf(entries);
    }
}
