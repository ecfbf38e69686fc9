package dev.walstow.backup.delta;

import dev.walstow.backup.delta.RelationPath.RelationKey;
import dev.walstow.wal.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The blocks PostgreSQL 17+'s WAL summarizer ({@code summarize_wal = on}) recorded as changed between the reference
 * backup's start and this backup's start, read over SQL. PostgreSQL's own {@code pg_basebackup --incremental} uses
 * the same summaries: every WAL-logged change to a block between the two LSNs is in them, and a relation fork created
 * or truncated in the range has a "limit block" (0 when created), from which every block counts as changed.
 *
 * <p>Usable only when the summaries cover the range without a gap on the timelines of this backup's history (the
 * summarizer keeps them for {@code wal_summary_keep_time}); otherwise {@link #load} says why and the backup reads
 * every page instead.
 */
public final class WalSummaries {
    private static final Duration POLL = Duration.ofMillis(200);

    /** @param limit the smallest limit block, or -1 when the fork was not created or truncated in the range */
    record Changes(BitSet blocks, long limit) {}

    /** Either the summaries, or why they cannot be used. */
    public record Loaded(Optional<WalSummaries> summaries, String why) {}

    private record Summary(long tli, Lsn start, Lsn end) {}

    private final Map<RelationKey, Changes> changes;
    private final long blocks;

    private WalSummaries(Map<RelationKey, Changes> changes) {
        this.changes = changes;
        this.blocks = changes.values().stream().mapToLong(c -> c.blocks().cardinality()).sum();
    }

    /** Blocks named as changed (limit blocks aside). */
    public long changedBlocks() {
        return blocks;
    }

    /**
     * Waits (up to {@code wait}) for the summarizer to reach {@code to}, then reads the summaries of
     * {@code [from, to)} on the given timelines.
     *
     * @param timelines the timelines of this backup's history (the reference's included)
     * @param nanoTime the clock the wait is measured with
     */
    public static Loaded load(Connection c, Lsn from, Lsn to, Set<Long> timelines, Duration wait,
            LongSupplier nanoTime) {
        try {
            if (!"on".equals(single(c, "SHOW summarize_wal"))) {
                return unusable("summarize_wal is off");
            }
            long deadline = nanoTime.getAsLong() + wait.toNanos();
            while (true) {
                Lsn summarized;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT summarized_lsn::text, summarizer_pid FROM pg_get_wal_summarizer_state()")) {
                    rs.next();
                    summarized = Lsn.parse(rs.getString(1));
                }
                if (summarized.compareTo(to) >= 0) {
                    break;
                }
                if (nanoTime.getAsLong() > deadline) {
                    return unusable("the WAL summarizer reached only " + summarized + ", not this backup's start " + to
                            + ", within " + wait.toSeconds() + " s");
                }
                Thread.sleep(POLL.toMillis());
            }
            List<Summary> needed = covering(c, from, to, timelines);
            if (needed.isEmpty()) {
                return unusable("the server's WAL summaries do not cover " + from + " to " + to
                        + " (removed after wal_summary_keep_time, or summarize_wal was off for a while)");
            }
            Map<RelationKey, Changes> changes = new HashMap<>();
            for (Summary s : needed) {
                read(c, s, changes);
            }
            return new Loaded(Optional.of(new WalSummaries(changes)), "the server's WAL summaries from " + from
                    + " to " + to + " (" + needed.size() + " files)");
        } catch (SQLException e) {
            return unusable("reading the WAL summaries failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unusable("interrupted while waiting for the WAL summarizer");
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Loaded unusable(String why) {
        return new Loaded(Optional.empty(), why);
    }

    /** The summaries that cover {@code [from, to)} without a gap, or none if they do not. */
    private static List<Summary> covering(Connection c, Lsn from, Lsn to, Set<Long> timelines) throws SQLException {
        List<Summary> all = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT tli, start_lsn::text, end_lsn::text FROM pg_available_wal_summaries() ORDER BY start_lsn")) {
            while (rs.next()) {
                Summary s = new Summary(rs.getLong(1), Lsn.parse(rs.getString(2)), Lsn.parse(rs.getString(3)));
                if (timelines.contains(s.tli()) && s.end().compareTo(from) > 0 && s.start().compareTo(to) < 0) {
                    all.add(s);
                }
            }
        }
        Lsn reached = from;
        List<Summary> used = new ArrayList<>();
        for (Summary s : all) {
            if (s.start().compareTo(reached) > 0) {
                return List.of();
            }
            if (s.end().compareTo(reached) > 0) {
                used.add(s);
                reached = s.end();
            }
        }
        return reached.compareTo(to) >= 0 ? used : List.of();
    }

    private static void read(Connection c, Summary s, Map<RelationKey, Changes> changes) throws SQLException {
        String sql = "SELECT relfilenode::bigint, reltablespace::bigint, reldatabase::bigint, relforknumber, "
                + "relblocknumber, is_limit_block FROM pg_wal_summary_contents(?, ?::pg_lsn, ?::pg_lsn)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(10_000);
            ps.setLong(1, s.tli());
            ps.setString(2, s.start().toString());
            ps.setString(3, s.end().toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RelationKey key = new RelationKey(rs.getLong(2), rs.getLong(3), rs.getLong(1), rs.getInt(4));
                    long block = rs.getLong(5);
                    Changes known = changes.computeIfAbsent(key, k -> new Changes(new BitSet(), -1));
                    if (rs.getBoolean(6)) {
                        long limit = known.limit() < 0 ? block : Math.min(known.limit(), block);
                        changes.put(key, new Changes(known.blocks(), limit));
                    } else if (block < Integer.MAX_VALUE) {
                        known.blocks().set((int) block);
                    } else {
                        changes.put(key, new Changes(known.blocks(), 0));
                    }
                }
            }
        }
    }

    /**
     * The blocks of one segment file to store, numbered within the file, or empty when the whole file must be
     * stored (the fork was created in the range, or truncated into or before this segment).
     *
     * @param blocksPerSegment RELSEG_SIZE: blocks per 1 GiB segment file
     * @param fileBlocks the file's length now, in blocks
     * @param referenceBlocks its length in the reference, in blocks: blocks past it are new and always stored
     */
    public Optional<int[]> blocks(RelationPath file, long blocksPerSegment, long fileBlocks, long referenceBlocks) {
        long first = file.segment() * blocksPerSegment;
        Changes c = changes.get(file.key());
        if (c != null && c.limit() >= 0 && c.limit() <= first) {
            return Optional.empty();
        }
        BitSet local = new BitSet();
        if (c != null) {
            long last = first + blocksPerSegment;
            for (int b = c.blocks().nextSetBit((int) Math.min(first, Integer.MAX_VALUE)); b >= 0 && b < last;
                    b = b == Integer.MAX_VALUE ? -1 : c.blocks().nextSetBit(b + 1)) {
                local.set((int) (b - first));
            }
            if (c.limit() >= 0 && c.limit() < last) {
                local.set((int) (c.limit() - first), (int) Math.max(c.limit() - first, fileBlocks));
            }
        }
        if (fileBlocks > referenceBlocks) {
            local.set((int) referenceBlocks, (int) fileBlocks);
        }
        return Optional.of(local.stream().filter(b -> b < fileBlocks).toArray());
    }
}
