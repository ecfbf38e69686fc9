package dev.walstow.wal;

/** The history file a promotion writes for the new timeline, {@code 00000002.history}. */
public record HistoryName(TimelineId timeline) implements WalFileName {
    public HistoryName {
        if (timeline == null) {
            throw new IllegalArgumentException("timeline is required");
        }
    }

    @Override
    public String fileName() {
        return timeline.hex() + ".history";
    }

    @Override
    public String toString() {
        return fileName();
    }
}
