package dev.walstow.guard;

import dev.walstow.agent.Failures;
import dev.walstow.metrics.ArchiveState;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalSegmentSize;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the RPO: once per {@link #tick()} it measures the exposure (seconds of committed WAL not yet durable in
 * the repository), forces a segment switch when WAL has sat in the current segment for half the RPO, and says
 * loudly when the exposure passes the RPO anyway.
 *
 * <p>The archived frontier is the oldest .ready segment (PostgreSQL archives in order and renames .ready to .done
 * only after archive-push succeeded, i.e. after the repository confirmed durability), or, with no backlog, the
 * start of the segment being written. Exposure = now − when the first WAL past the frontier was written
 * ({@link ExposureTracker}). Without SQL (guard disabled or the server down) only the backlog is seen: the
 * exposure is then the age of the oldest .ready file, a lower bound.
 *
 * <p>Why half the RPO: after the switch the segment still has to be archived (PostgreSQL's archiver loop, an
 * upload, perhaps a retry); half the RPO leaves that much room, and on a busy server segments fill long before.
 */
public final class RpoGuard {
    private static final Logger LOG = LoggerFactory.getLogger(RpoGuard.class);
    private static final Duration REPEAT_WARNING = Duration.ofMinutes(1);
    private static final Duration RATE_WINDOW = Duration.ofMinutes(1);

    private final Duration rpo;
    private final Optional<GuardSql> sql;
    private final WalBacklog backlog;
    private final Clock clock;
    private final WalstowMetrics metrics;
    private final ExposureTracker tracker = new ExposureTracker();
    private final ArrayDeque<long[]> positions = new ArrayDeque<>();
    private boolean breached;
    private Instant lastWarning = Instant.EPOCH;
    private String sqlProblem;
    private String switchProblem;

    /** @param sql empty when the guard is disabled: measure from pg_wal only, never connect or switch */
    public RpoGuard(Duration rpo, Optional<GuardSql> sql, WalBacklog backlog, Clock clock, WalstowMetrics metrics) {
        this.rpo = rpo;
        this.sql = sql;
        this.backlog = backlog;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** One round: observe, maybe switch, publish. Never throws: the guard must outlive any failure it reports. */
    public synchronized ArchiveState tick() {
        Instant now = clock.instant();
        WalBacklog.Snapshot ready = backlog.snapshot();
        Optional<GuardSql.Position> position = position();
        Optional<Instant> since = Optional.empty();
        String note = sql.isEmpty() ? "guard disabled: exposure counted from pg_wal only (a lower bound)" : sqlProblem;
        long walPosition = 0;
        if (position.isPresent() && position.get().lsn().isPresent()) {
            GuardSql.Position p = position.get();
            WalSegmentSize size = p.segmentSize();
            Lsn lsn = p.lsn().get();
            walPosition = lsn.value();
            long current = lsn.segmentNumber(size);
            boolean currentHasWal = lsn.offsetInSegment(size) > 0;
            long newestWithWal = currentHasWal ? current : current - 1;
            tracker.observe(p.timeline().value(), newestWithWal, now, seed(p, newestWithWal, now));
            long frontier = ready.oldestSegment().map(s -> s.segmentNumber(size)).orElse(currentHasWal ? current : -1);
            if (frontier >= 0) {
                tracker.archivedBefore(frontier);
                since = earliest(tracker.firstWrite(frontier), ready.oldestSegment().isPresent()
                        ? ready.oldestMtime() : Optional.empty());
            } else {
                tracker.archivedBefore(current + 1);
            }
            if (currentHasWal && !p.inRecovery()) {
                note = maybeSwitch(now, tracker.firstWrite(current), SegmentName.containing(p.timeline(), lsn, size));
            }
        } else if (position.isPresent()) {
            note = "server is in recovery: nothing to guard here";
        } else {
            since = ready.oldestMtime();
        }
        double exposure = since.map(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0)).orElse(0.0);
        reportBreach(exposure, now, ready);
        ArchiveState state = new ArchiveState(ready.files(), ready.bytes(), ready.oldestName().orElse(null),
                ready.oldestMtime().map(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0)).orElse(0.0),
                exposure, rpo.toMillis() / 1000.0, position.isPresent(), walPosition, walRate(now, walPosition),
                note);
        metrics.update(state);
        return state;
    }

    private Optional<GuardSql.Position> position() {
        if (sql.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<GuardSql.Position> p = Optional.of(sql.get().position());
            if (sqlProblem != null) {
                LOG.info("RPO guard: connected to PostgreSQL again");
                sqlProblem = null;
            }
            return p;
        } catch (RuntimeException e) {
            if (sqlProblem == null) {
                LOG.warn("RPO guard: cannot query PostgreSQL, exposure is now counted from pg_wal only and no "
                        + "segment switch can be forced: {}", Failures.describe(e));
            }
            sqlProblem = "cannot query PostgreSQL: " + Failures.describe(e);
            return Optional.empty();
        }
    }

    private String maybeSwitch(Instant now, Optional<Instant> firstWrite, SegmentName current) {
        if (firstWrite.isEmpty() || Duration.between(firstWrite.get(), now).compareTo(rpo.dividedBy(2)) < 0) {
            return null;
        }
        try {
            Lsn end = sql.get().switchWal();
            metrics.walSwitched();
            switchProblem = null;
            LOG.info("RPO guard: WAL has waited {} s in {} (RPO {} s): forced a segment switch (pg_switch_wal -> {})",
                    Duration.between(firstWrite.get(), now).toSeconds(), current.fileName(), rpo.toSeconds(), end);
            return "switched " + current.fileName() + " at " + now;
        } catch (RuntimeException e) {
            String problem = "cannot switch segments: " + Failures.describe(e);
            if (!problem.equals(switchProblem)) { // once per kind of problem, not once a second
                LOG.warn("RPO guard: cannot force a segment switch ({}); WAL in {} waits for archive_timeout or "
                        + "more writes", Failures.describe(e), current.fileName());
            }
            switchProblem = problem;
            return problem;
        }
    }

    private void reportBreach(double exposure, Instant now, WalBacklog.Snapshot ready) {
        boolean over = exposure > rpo.toMillis() / 1000.0;
        if (over && (!breached || Duration.between(lastWarning, now).compareTo(REPEAT_WARNING) >= 0)) {
            if (!breached) {
                metrics.rpoBreached();
            }
            LOG.warn("RPO BREACHED: {} s of committed WAL is not in the repository (RPO {} s); backlog {} files, "
                    + "oldest {}; see walstow status and the failures in the log", Math.round(exposure),
                    rpo.toSeconds(), ready.files(), ready.oldestName().orElse("none"));
            lastWarning = now;
        } else if (!over && breached) {
            LOG.info("RPO held again: exposure {} s (RPO {} s)", Math.round(exposure), rpo.toSeconds());
        }
        breached = over;
    }

    /** Bytes per second over the last minute, from the positions seen at each tick. */
    private double walRate(Instant now, long walPosition) {
        if (walPosition == 0) {
            return 0;
        }
        positions.addLast(new long[] {now.toEpochMilli(), walPosition});
        while (positions.size() > 2 && now.toEpochMilli() - positions.peekFirst()[0] > RATE_WINDOW.toMillis()) {
            positions.removeFirst();
        }
        long[] first = positions.peekFirst();
        long millis = now.toEpochMilli() - first[0];
        return millis <= 0 || walPosition < first[1] ? 0 : (walPosition - first[1]) * 1000.0 / millis;
    }

    /** Before the first observation: the previous segment's completion, else this one's last write (lower bounds). */
    private Instant seed(GuardSql.Position p, long segment, Instant now) {
        Optional<Instant> before = segment > 0
                ? backlog.mtime(SegmentName.of(p.timeline(), segment - 1, p.segmentSize()).fileName())
                : Optional.empty();
        return before.or(() -> segment >= 0 ? backlog.mtime(SegmentName.of(p.timeline(), segment,
                p.segmentSize()).fileName()) : Optional.empty()).orElse(now);
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isPresent() && b.get().isBefore(a.get()) ? b : a;
    }

}
