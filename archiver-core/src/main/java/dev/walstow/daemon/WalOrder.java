package dev.walstow.daemon;

import dev.walstow.wal.HistoryName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import java.util.Comparator;

/**
 * The order in which the daemon archives a backlog: timeline history files first (a restore needs them to follow a
 * promotion at all), then segments by position, then partial segments and backup history files by name. Oldest
 * first keeps the archive a gap-free prefix of the WAL stream as long as possible, which is what PITR can use.
 */
final class WalOrder {
    static final Comparator<WalFileName> OLDEST_FIRST = Comparator
            .comparingInt(WalOrder::rank)
            .thenComparing(WalOrder::position)
            .thenComparing(WalFileName::fileName);

    private WalOrder() {}

    private static int rank(WalFileName name) {
        return switch (name) {
            case HistoryName h -> 0;
            case SegmentName s -> 1;
            default -> 2;
        };
    }

    /** Log id and segment within it compare like the segment number, whatever the segment size. */
    private static String position(WalFileName name) {
        return name instanceof SegmentName s
                ? String.format("%08X%08X%08X", s.logId(), s.segId(), s.timeline().value())
                : name.fileName();
    }
}
