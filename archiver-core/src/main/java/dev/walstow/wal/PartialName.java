package dev.walstow.wal;

/**
 * A segment that was still being written when its timeline ended (archived at promotion) or when pg_receivewal
 * stopped: {@code 000000010000000000000005.partial}. It is as large as a full segment, with the tail unused.
 */
public record PartialName(SegmentName segment) implements WalFileName {
    public PartialName {
        if (segment == null) {
            throw new IllegalArgumentException("segment is required");
        }
    }

    @Override
    public String fileName() {
        return segment.fileName() + ".partial";
    }

    @Override
    public TimelineId timeline() {
        return segment.timeline();
    }

    @Override
    public String toString() {
        return fileName();
    }
}
