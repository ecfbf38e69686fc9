package dev.walstow.daemon;

import dev.walstow.daemon.spool.ConfigStamp;
import dev.walstow.daemon.spool.DaemonLock;
import dev.walstow.daemon.spool.LauncherChannel;
import dev.walstow.daemon.spool.ServingPublisher;
import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.daemon.spool.SpoolSetup;
import dev.walstow.daemon.spool.WorkMarkers;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.WalstowException;
import dev.walstow.guard.GuardSql;
import dev.walstow.guard.JdbcGuardSql;
import dev.walstow.guard.RpoGuardLoop;
import dev.walstow.agent.Failures;
import dev.walstow.metrics.MetricsServer;
import dev.walstow.metrics.StatusReport;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.pg.PgConnections;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Components;
import dev.walstow.runtime.RunAsOwner;
import dev.walstow.runtime.Version;
import dev.walstow.storage.StorageException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident daemon for one cluster, without its socket: {@link #start()} returns the {@link RequestHandler} the
 * socket server calls.
 *
 * <p>It keeps no state that matters across restarts: what to push is in {@code archive_status}, what is durable is
 * in the repository, {@code pushed/} only saves work and {@code prefetch/} is emptied at start. So {@code kill -9}
 * at any moment loses nothing.
 *
 * <p>Start-up order is what makes the launcher's answers safe ({@link SpoolLayout}): refuse a foreign uid before
 * writing anything; take the lock; withdraw an earlier daemon's {@code serving}; read the repository's binding to
 * learn whose state to keep; delete every other repository's state; start; publish {@code serving} last.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Bound on every SQL statement of the guard: a hung server must not hang the guard's thread for long. */
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Internal rhythms, not configuration; tests shorten them.
     *
     * @param warmUpRounds segments' worth of warm-up at start ({@link WarmUp}); 0 in most tests
     * @param repositoryFactsEvery how often the records of backup, expire and verify are read for the metrics
     *     ({@link RepositoryFactsReader}: a listing of {@code status/} each time)
     */
    public record Timings(Duration rescanEvery, Duration housekeepingEvery, Duration guardEvery, int warmUpRounds,
            Duration repositoryFactsEvery) {
        private static final Duration REPOSITORY_FACTS_EVERY = Duration.ofSeconds(60);
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(1), WarmUp.DEFAULT_ROUNDS);

        public Timings(Duration rescanEvery, Duration housekeepingEvery, Duration guardEvery, int warmUpRounds) {
            this(rescanEvery, housekeepingEvery, guardEvery, warmUpRounds, REPOSITORY_FACTS_EVERY);
        }

        public Timings(Duration rescanEvery, Duration housekeepingEvery, Duration guardEvery) {
            this(rescanEvery, housekeepingEvery, guardEvery, 0);
        }

        public Timings(Duration rescanEvery, Duration housekeepingEvery) {
            this(rescanEvery, housekeepingEvery, DEFAULT.guardEvery());
        }
    }

    private final WalstowConfig config;
    private final Optional<ConfigStamp> configStamp;
    private SpoolLayout layout;
    private DaemonLock lock;
    private ServingPublisher serving;
    private Runnable onConfigurationChange;
    /** A change (or a failed late start) seen before anyone asked to hear of it: told as soon as someone does. */
    private boolean restartPending;
    private final Repository repository;
    private final WalCodec codec;
    private final Timings timings;
    private final Optional<GuardSql> guardSql;
    private final WalstowMetrics metrics = new WalstowMetrics();
    private final Instant startedAt = Instant.now();
    private MetricsServer metricsServer;
    private RpoGuardLoop guard;
    private ArchiveServices services;
    private ExecutorService requests;
    private ScheduledExecutorService housekeeping;
    /** Its own thread: a slow repository must not hold up housekeeping. */
    private ScheduledExecutorService repositoryFacts;
    private PushService push;
    private FetchService fetch;
    private LauncherChannel launcher;
    private RequestHandler handler;
    /** The handler once the binding was read, when it could not be at start-up. */
    private volatile RequestHandler bound;
    private Thread binder;
    private boolean stopped;
    private volatile boolean accepting;

    public Daemon(WalstowConfig config, Path dataDirectory, Repository repository, WalCodec codec, Timings timings) {
        this(config, dataDirectory, repository, codec, timings, Optional.empty());
    }

    /** @param guardSql the RPO guard's connection; empty: measure exposure from pg_wal only, never switch */
    public Daemon(WalstowConfig config, Path dataDirectory, Repository repository, WalCodec codec, Timings timings,
            Optional<GuardSql> guardSql) {
        this(config, Optional.empty(), dataDirectory, repository, codec, timings, guardSql);
    }

    /** @param configStamp the configuration file as loaded: published for launchers, watched for changes */
    public Daemon(WalstowConfig config, Optional<ConfigStamp> configStamp, Path dataDirectory, Repository repository,
            WalCodec codec, Timings timings, Optional<GuardSql> guardSql) {
        this.configStamp = configStamp;
        this.guardSql = guardSql;
        this.config = config;
        this.layout = new SpoolLayout(dataDirectory.toAbsolutePath().normalize());
        this.repository = repository;
        this.codec = codec;
        this.timings = timings;
    }

    /** The daemon as {@code walstow daemon} runs it: repository and codec from the configuration. */
    public static Daemon fromConfig(WalstowConfig config, ConfigStamp stamp, Path dataDirectory) {
        Optional<GuardSql> sql = config.guard().enabled()
                ? Optional.of(new JdbcGuardSql(new PgConnections(config.postgres(), SQL_TIMEOUT)))
                : Optional.empty();
        return new Daemon(config, Optional.of(stamp), dataDirectory,
                Components.repository(config, new SpoolLayout(dataDirectory).root()),
                Components.codec(config, Components.KeyUse.DECRYPT), Timings.DEFAULT, sql);
    }

    /**
     * Called once, from the heartbeat thread, when the configuration file changed: the daemon has stopped answering
     * calls already; the caller is expected to shut it down (and {@code walstow daemon} exits 75 for a restart).
     */
    public synchronized void onConfigurationChange(Runnable action) {
        this.onConfigurationChange = action;
        if (restartPending) {
            action.run();
        }
    }

    /** The daemon can no longer serve as started: ask whoever runs it for a restart (now, or once it listens). */
    private void restartNeeded() {
        Runnable action;
        synchronized (this) {
            restartPending = true;
            action = onConfigurationChange;
        }
        if (action != null) {
            action.run();
        }
    }

    public WalstowMetrics metrics() {
        return metrics;
    }

    /** The port the metrics endpoint listens on (useful with port 0), or -1 when it is disabled. */
    public synchronized int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** What {@code GET /status} answers. */
    public String statusJson() {
        return StatusReport.of(Version.current(), startedAt, layout.dataDirectory().toString(), repository.location(),
                guardSql.isPresent(), metrics).toJson();
    }

    /** The spool; after {@link #start()}, for the repository this daemon serves. */
    public synchronized SpoolLayout layout() {
        return layout;
    }

    /** Creates the spool, writes agent hints, starts archiving. @return the handler for the socket server */
    public synchronized RequestHandler start() {
        if (handler != null) {
            return handler;
        }
        DaemonConfig d = config.daemon();
        // Before the lock, the spool, anything: run as root it would leave files PostgreSQL cannot read or replace.
        RunAsOwner.require(new RunAsOwner.Invocation("daemon", List.of("--config", config.source().toString(),
                "daemon", "--pgdata", layout.dataDirectory().toString())),
                List.of(RunAsOwner.Place.dataDirectory(layout.dataDirectory())));
        lock = DaemonLock.acquire(layout);
        try {
            return startLocked(d);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private RequestHandler startLocked(DaemonConfig d) {
        ServingPublisher.withdrawStale(layout);
        Optional<BoundRepository> opened = open();
        if (opened.isPresent()) {
            return startBound(d, opened.get());
        }
        // The repository is unreachable or not initialised yet (an NFS mount late at boot, S3 down, no walstow init):
        // without its binding the daemon cannot know whose state is valid, so it answers nothing (agents fall back
        // in-process, which reports the cause) and keeps trying; giving up would leave it down for good.
        handler = request -> bound == null
                ? CompletableFuture.completedFuture(Reply.unsupported("the walstow daemon cannot read the binding of "
                        + repository.location() + " yet"))
                : bound.handle(request);
        binder = Thread.ofPlatform().name("walstow-binder").daemon().start(() -> bindWhenReachable(d));
        return handler;
    }

    /** Retries reading the binding (every few seconds, at most every 30 s) until it succeeds or the daemon stops. */
    private void bindWhenReachable(DaemonConfig d) {
        Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(30));
        for (int attempt = 1; ; attempt++) {
            try {
                Thread.sleep(backoff.after(attempt).toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Optional<BoundRepository> opened = open();
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (opened.isPresent()) {
                    try {
                        bound = startBound(d, opened.get());
                    } catch (RuntimeException e) {
                        // Half started (a metrics port taken, a spool not writable): only a fresh start is sane.
                        LOG.error("cannot start archiving once the repository became readable: {}; asking for a "
                                + "restart", Failures.describe(e));
                        Thread.ofPlatform().name("walstow-restart-request").start(this::restartNeeded);
                    }
                    return;
                }
            }
        }
    }

    /**
     * The repository bound for this daemon's life: its binding is read here, once (retried with {@code [retry]}), and
     * again only as {@link BoundRepository} says; a changed binding asks for a restart (the state is keyed to it).
     */
    private Optional<BoundRepository> open() {
        try {
            return Optional.of(new Retrier(config.retry()).call("reading the binding of " + repository.location(),
                    () -> BoundRepository.open(repository, codec)));
        } catch (WalstowException e) {
            LOG.warn("cannot read the repository's binding, so no archiving through this daemon yet: {}",
                    e.oneLine());
            return Optional.empty();
        }
    }

    private RequestHandler startBound(DaemonConfig d, BoundRepository opened) {
        String repositoryId = opened.identity();
        layout = layout.forRepository(repositoryId);
        Path realData = SpoolSetup.prepare(layout, d);
        opened.onRebound(b -> {
            LOG.warn("the binding of {} changed while this daemon served it; asking for a restart",
                    opened.location());
            Thread.ofPlatform().name("walstow-restart-request").start(this::restartNeeded);
        });
        services = ArchiveServices.create(layout, opened, config, timings.rescanEvery(), metrics);
        push = services.push();
        fetch = services.fetch();
        requests = Executors.newVirtualThreadPerTaskExecutor();
        fetch.clearSpool();
        launcher = LauncherChannel.open(layout, fetch::left, fetch::get);
        push.removeOrphans();
        accepting = true;
        push.start();
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("walstow-housekeeping")
                .daemon().factory());
        long every = timings.housekeepingEvery().toMillis();
        housekeeping.scheduleWithFixedDelay(this::housekeep, every, every, TimeUnit.MILLISECONDS);
        RepositoryFactsReader facts = new RepositoryFactsReader(opened.repository(), repositoryId, metrics,
                Clock.systemUTC());
        repositoryFacts = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("walstow-repository-facts").daemon().factory());
        repositoryFacts.scheduleWithFixedDelay(facts::refresh, 0, timings.repositoryFactsEvery().toMillis(),
                TimeUnit.MILLISECONDS);
        guard = RpoGuardLoop.start(config.guard().rpo(), guardSql, layout.pgWal(), metrics, timings.guardEvery());
        if (config.metrics().enabled()) {
            metricsServer = MetricsServer.start(config.metrics(), config.source(), metrics, this::statusJson);
        }
        serving = new ServingPublisher(layout, repositoryId, configStamp, this::restartNeeded);
        RequestHandler requestHandler = new DaemonRequestHandler(realData, push, fetch, d.waitTimeout(), requests,
                () -> accepting, serving::serves);
        if (handler == null) {
            handler = requestHandler;
        }
        WorkMarkers.publishPresence(layout);
        if (timings.warmUpRounds() > 0) {
            new WarmUp(codec, layout.warmUpDirectory(), () -> push.queued() > 0 || fetch.busy() || !accepting,
                    timings.warmUpRounds())
                    .startInBackground();
        }
        serving.start();
        Thread.ofVirtual().name("walstow-leftovers").start(this::removeLeftoversOfDeadWriters);
        LOG.info("daemon started for {} (push-concurrency {}, prefetch {}, repository {}, state in {})", realData,
                d.pushConcurrency(), d.prefetch(), repository.location(), layout.stateRoot().getFileName());
        return requestHandler;
    }

    /**
     * Stops taking work and lets uploads in flight finish within {@code bound}. Whatever is not finished keeps its
     * .ready file and is pushed by the next start.
     *
     * @return whether everything in flight finished within the bound
     */
    public synchronized boolean shutdown(Duration bound) {
        if (handler == null || stopped) {
            return true;
        }
        stopped = true;
        accepting = false;
        if (binder != null) {
            binder.interrupt();
        }
        if (push == null) {
            // Never bound: nothing was started but the lock.
            lock.close();
            LOG.info("daemon stopped (it never could read its repository's binding)");
            return true;
        }
        // First: from here on no launcher or agent answers from this daemon's state. (Null-safe from here: a late
        // start that failed half-way, see bindWhenReachable, stops what it started.)
        if (serving != null) {
            serving.withdraw();
        }
        WorkMarkers.withdrawPresence(layout);
        boolean finished;
        try {
            finished = push.shutdown(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (guard != null) {
            guard.close();
        }
        services.stopPools();
        for (ExecutorService executor : new ExecutorService[] {housekeeping, repositoryFacts, requests}) {
            // An upload past the bound is abandoned: the store's create-only publish leaves nothing or a whole object.
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        guardSql.ifPresent(GuardSql::close);
        if (launcher != null) {
            launcher.close();
        }
        if (fetch != null) {
            fetch.close();
            // Prefetched files are handed over only while the daemon that fetched them serves.
            fetch.clearSpool();
        }
        lock.close();
        LOG.info("daemon stopped ({}; longest heartbeat gap {} ms)", finished ? "all uploads in flight finished"
                : "uploads still running after " + bound.toMillis() + " ms were abandoned; PostgreSQL keeps them .ready",
                serving == null ? 0 : serving.longestGapMillis());
        return finished;
    }

    /**
     * What puts of this host's dead processes left in the repository (a put killed mid-way, or one that failed on a
     * full disk before this version cleaned up after itself): found by the writer recorded in each temporary name,
     * never by age, so a live put elsewhere (a backup, an NFS neighbour) is never touched. In the background: it
     * walks the whole repository.
     */
    private void removeLeftoversOfDeadWriters() {
        try {
            long removed = repository.store().cleanLeftoversOfDeadWriters();
            if (removed > 0) {
                LOG.info("removed {} file(s) that interrupted puts of dead processes left in {}", removed,
                        repository.location());
            }
        } catch (StorageException | RuntimeException e) {
            LOG.warn("cannot clean what interrupted puts left in {}: {}", repository.location(),
                    Failures.describe(e));
        }
    }

    private void housekeep() {
        try {
            push.removeOrphans();
            fetch.checkRecoveryEnded();
            launcher.sweep();
        } catch (RuntimeException e) {
            LOG.error("housekeeping failed: {}", Failures.describe(e), e);
        }
    }
}
