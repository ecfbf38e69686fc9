package dev.walstow.daemon;

import dev.walstow.wal.HistoryName;
import dev.walstow.wal.WalFileName;
import java.util.Comparator;

/**
 * The order in which the daemon archives a backlog: PostgreSQL's own (pgarch.c, {@code ready_file_comparator}):
 * timeline history files first (a restore needs them to follow a promotion at all), then everything else by name.
 * Names sort like the WAL stream (timeline, then position; a {@code .partial} segment or a {@code .backup} history
 * file right after the segment it belongs to), so oldest first keeps the archive a gap-free prefix of the WAL stream
 * as long as possible, which is what PITR can use.
 *
 * <p>Any other order makes PostgreSQL's archiver wait: it asks for exactly this order, one file at a time, and a file
 * the daemon keeps for later (a {@code .backup} file sorted after the whole backlog, say) stalls the archiver and
 * sends its call from the launcher's cheap wait to the agent JVM.
 */
final class WalOrder {
    static final Comparator<WalFileName> OLDEST_FIRST = Comparator
            .comparing((WalFileName name) -> !(name instanceof HistoryName))
            .thenComparing(WalFileName::fileName);

    private WalOrder() {}
}
