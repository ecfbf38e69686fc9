package dev.walstow.guard;

import dev.walstow.agent.Failures;
import dev.walstow.metrics.WalstowMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's RPO guard on its own thread: an SQL call may take up to the statement timeout and must delay neither
 * housekeeping nor archiving. The settings check runs there first, so a slow server does not delay start-up.
 */
public final class RpoGuardLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpoGuardLoop.class);

    private final ScheduledExecutorService ticker;

    private RpoGuardLoop(ScheduledExecutorService ticker) {
        this.ticker = ticker;
    }

    /**
     * @param sql the guard's connection; empty: exposure is measured from pg_wal only and no switch is forced
     * @param every how often the guard measures (and maybe switches)
     */
    public static RpoGuardLoop start(Duration rpo, Optional<GuardSql> sql, Path pgWal, WalstowMetrics metrics,
            Duration every) {
        RpoGuard guard = new RpoGuard(rpo, sql, new PgWalBacklog(pgWal), Clock.systemUTC(), metrics);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("walstow-rpo-guard").daemon().factory());
        ticker.execute(() -> warnAboutSettings(rpo, sql));
        ticker.scheduleWithFixedDelay(() -> {
            try {
                guard.tick();
            } catch (RuntimeException e) {
                LOG.error("RPO guard tick failed: {}", Failures.describe(e), e);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return new RpoGuardLoop(ticker);
    }

    private static void warnAboutSettings(Duration rpo, Optional<GuardSql> sql) {
        if (sql.isEmpty()) {
            LOG.warn("[guard] is disabled: walstow does not force segment switches; the RPO of {} s holds on a quiet "
                    + "server only if archive_timeout is at most half of it", rpo.toSeconds());
            return;
        }
        try {
            for (SettingsCheck.Finding f : SettingsCheck.check(sql.get().settings(), rpo, true)) {
                LOG.warn("RPO guard: {}", f.line());
            }
        } catch (RuntimeException e) {
            LOG.warn("RPO guard: cannot read PostgreSQL's settings at start-up: {}", Failures.describe(e));
        }
    }

    /** Stops the guard; an SQL call in flight is interrupted. */
    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
