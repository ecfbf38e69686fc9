package dev.walstow.daemon;

import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.ArchivePush;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.LocalIoError;
import dev.walstow.guard.GuardSql;
import dev.walstow.guard.JdbcGuardSql;
import dev.walstow.guard.PgWalBacklog;
import dev.walstow.guard.RpoGuard;
import dev.walstow.guard.SettingsCheck;
import dev.walstow.metrics.MetricsServer;
import dev.walstow.metrics.StatusReport;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.pg.PgConnections;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Components;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Bound on every SQL statement of the guard: a hung server must not hang the guard's thread for long. */
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Internal rhythms, not configuration; tests shorten them.
     *
     * @param warmUpRounds segments' worth of warm-up at start ({@link WarmUp}); 0 in most tests
     */
    public record Timings(Duration rescanEvery, Duration housekeepingEvery, Duration guardEvery, int warmUpRounds) {
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(1), WarmUp.DEFAULT_ROUNDS);

        public Timings(Duration rescanEvery, Duration housekeepingEvery, Duration guardEvery) {
            this(rescanEvery, housekeepingEvery, guardEvery, 0);
        }

        public Timings(Duration rescanEvery, Duration housekeepingEvery) {
            this(rescanEvery, housekeepingEvery, DEFAULT.guardEvery());
        }
    }

    private final WalstowConfig config;
    private final SpoolLayout layout;
    private final Repository repository;
    private final WalCodec codec;
    private final Timings timings;
    private final Optional<GuardSql> guardSql;
    private final WalstowMetrics metrics = new WalstowMetrics();
    private final Instant startedAt = Instant.now();
    private ScheduledExecutorService guardTicker;
    private MetricsServer metricsServer;
    private RpoGuard guard;
    private ExecutorService pushPool;
    private ExecutorService fetchPool;
    private ExecutorService requests;
    private ScheduledExecutorService housekeeping;
    private PushService push;
    private FetchService fetch;
    private SpoolWatcher spoolWatcher;
    private SpoolWatcher askWatcher;
    private LauncherAsks asks;
    private RequestHandler handler;
    private volatile boolean accepting;

    public Daemon(WalstowConfig config, Path dataDirectory, Repository repository, WalCodec codec, Timings timings) {
        this(config, dataDirectory, repository, codec, timings, Optional.empty());
    }

    /** @param guardSql the RPO guard's connection; empty: measure exposure from pg_wal only, never switch */
    public Daemon(WalstowConfig config, Path dataDirectory, Repository repository, WalCodec codec, Timings timings,
            Optional<GuardSql> guardSql) {
        this.guardSql = guardSql;
        this.config = config;
        this.layout = new SpoolLayout(dataDirectory.toAbsolutePath().normalize());
        this.repository = repository;
        this.codec = codec;
        this.timings = timings;
    }

    /** The daemon as {@code walstow daemon} runs it: repository and codec from the configuration. */
    public static Daemon fromConfig(WalstowConfig config, Path dataDirectory) {
        Optional<GuardSql> sql = config.guard().enabled()
                ? Optional.of(new JdbcGuardSql(new PgConnections(config.postgres(), SQL_TIMEOUT)))
                : Optional.empty();
        return new Daemon(config, dataDirectory, Components.repository(config, new SpoolLayout(dataDirectory).root()),
                Components.codec(config, Components.KeyUse.DECRYPT), Timings.DEFAULT, sql);
    }

    public WalstowMetrics metrics() {
        return metrics;
    }

    /** The port the metrics endpoint listens on (useful with port 0), or -1 when it is disabled. */
    public synchronized int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    private static String version() {
        String v = Daemon.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** What {@code GET /status} answers. */
    public String statusJson() {
        return StatusReport.of(version(), startedAt, layout.dataDirectory().toString(), repository.location(),
                guardSql.isPresent(), metrics).toJson();
    }

    public SpoolLayout layout() {
        return layout;
    }

    /** Creates the spool, writes agent hints, starts archiving. @return the handler for the socket server */
    public synchronized RequestHandler start() {
        if (handler != null) {
            return handler;
        }
        DaemonConfig d = config.daemon();
        Path realData = prepareSpool(d);
        Retrier retrier = new Retrier(config.retry());
        // Retries happen around whole attempts, each bounded by operation-timeout, so the inner ones try once.
        Retrier once = new Retrier(new RetryConfig(1, Duration.ofMillis(1), Duration.ofMillis(1)));
        pushPool = Executors.newFixedThreadPool(d.pushConcurrency(), Thread.ofPlatform().name("walstow-upload-", 0)
                .daemon().factory());
        fetchPool = Executors.newFixedThreadPool(Math.clamp(d.prefetch(), 1, 8) + 1,
                Thread.ofPlatform().name("walstow-download-", 0).daemon().factory());
        requests = Executors.newVirtualThreadPerTaskExecutor();
        RetryConfig r = config.retry();
        push = new PushService(layout, new ArchivePush(repository, codec, once), retrier.onRetry(() ->
                metrics.retried("push")),
                new OperationTimeout(pushPool, d.operationTimeout(), repository.location()), d.pushConcurrency(),
                d.waitTimeout(), timings.rescanEvery(), new Backoff(r.initialBackoff(), r.maxBackoff()),
                new Backoff(r.maxBackoff(), r.maxBackoff().multipliedBy(30)), metrics);
        fetch = new FetchService(layout, repository, new ArchiveGet(repository, codec, once),
                retrier.onRetry(() -> metrics.retried("fetch")),
                new OperationTimeout(fetchPool, d.operationTimeout(), repository.location()), d.prefetch(),
                d.waitTimeout(), d.negativeCacheTtl(), metrics);
        fetch.clearSpool();
        try {
            spoolWatcher = new SpoolWatcher(layout.prefetchDirectory(), StandardWatchEventKinds.ENTRY_DELETE,
                    "prefetch", fetch::left);
        } catch (IOException e) {
            LOG.warn("cannot watch {} ({}); the prefetch window refills only when the agent asks",
                    layout.prefetchDirectory(), e.toString());
        }
        asks = new LauncherAsks(layout, fetch);
        try {
            askWatcher = new SpoolWatcher(layout.askedDirectory(), StandardWatchEventKinds.ENTRY_CREATE, "ask",
                    asks::asked);
        } catch (IOException e) {
            // Without asked/ the launcher does not ask (and wait) at all.
            LOG.warn("cannot watch {} ({}); every archive-get that misses the prefetch starts the agent",
                    layout.askedDirectory(), e.toString());
            try {
                Files.deleteIfExists(layout.askedDirectory());
            } catch (IOException ignored) {
                // the launcher then waits its short idle limit before it starts the agent
            }
        }
        push.removeOrphans();
        accepting = true;
        push.start();
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("walstow-housekeeping")
                .daemon().factory());
        long every = timings.housekeepingEvery().toMillis();
        housekeeping.scheduleWithFixedDelay(this::housekeep, every, every, TimeUnit.MILLISECONDS);
        startGuard();
        if (config.metrics().enabled()) {
            metricsServer = MetricsServer.start(config.metrics(), metrics, this::statusJson);
        }
        handler = new DaemonRequestHandler(realData, push, fetch, d.waitTimeout(), requests, () -> accepting);
        WorkMarkers.publishPresence(layout);
        if (timings.warmUpRounds() > 0) {
            new WarmUp(codec, layout.warmUpDirectory(), () -> push.queued() > 0 || fetch.busy() || !accepting,
                    timings.warmUpRounds())
                    .startInBackground();
        }
        LOG.info("daemon started for {} (push-concurrency {}, prefetch {}, repository {})", realData,
                d.pushConcurrency(), d.prefetch(), repository.location());
        return handler;
    }

    /**
     * Stops taking work and lets uploads in flight finish within {@code bound}. Whatever is not finished keeps its
     * .ready file and is pushed by the next start.
     *
     * @return whether everything in flight finished within the bound
     */
    public synchronized boolean shutdown(Duration bound) {
        if (handler == null) {
            return true;
        }
        accepting = false;
        WorkMarkers.withdrawPresence(layout);
        boolean finished;
        try {
            finished = push.shutdown(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        housekeeping.shutdownNow();
        guardTicker.shutdownNow();
        if (metricsServer != null) {
            metricsServer.close();
        }
        guardSql.ifPresent(GuardSql::close);
        if (spoolWatcher != null) {
            spoolWatcher.close();
        }
        if (askWatcher != null) {
            askWatcher.close();
        }
        fetch.close();
        requests.shutdownNow();
        // An upload past the bound is abandoned: the store's create-only publish leaves nothing or a whole object.
        pushPool.shutdownNow();
        fetchPool.shutdownNow();
        LOG.info("daemon stopped ({})", finished ? "all uploads in flight finished"
                : "uploads still running after " + bound.toMillis() + " ms were abandoned; PostgreSQL keeps them .ready");
        return finished;
    }

    /**
     * The guard has its own thread: an SQL call may take up to the statement timeout and must delay neither
     * housekeeping nor archiving. The settings check runs there too, so a slow server does not delay start-up.
     */
    private void startGuard() {
        guard = new RpoGuard(config.guard().rpo(), guardSql, new PgWalBacklog(layout.pgWal()), Clock.systemUTC(),
                metrics);
        guardTicker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("walstow-rpo-guard")
                .daemon().factory());
        guardTicker.execute(this::warnAboutSettings);
        long every = timings.guardEvery().toMillis();
        guardTicker.scheduleWithFixedDelay(() -> {
            try {
                guard.tick();
            } catch (RuntimeException e) {
                LOG.error("RPO guard tick failed: {}", e.toString(), e);
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    private void warnAboutSettings() {
        if (guardSql.isEmpty()) {
            LOG.warn("[guard] is disabled: walstow does not force segment switches; the RPO of {} s holds on a quiet "
                    + "server only if archive_timeout is at most half of it", config.guard().rpo().toSeconds());
            return;
        }
        try {
            for (SettingsCheck.Finding f : SettingsCheck.check(guardSql.get().settings(), config.guard().rpo(), true)) {
                LOG.warn("RPO guard: {}", f.line());
            }
        } catch (RuntimeException e) {
            LOG.warn("RPO guard: cannot read PostgreSQL's settings at start-up: {}",
                    e instanceof dev.walstow.error.WalstowException w ? w.oneLine() : e.toString());
        }
    }

    private void housekeep() {
        try {
            push.removeOrphans();
            fetch.checkRecoveryEnded();
            asks.sweep(LauncherAsks.ABANDONED);
        } catch (RuntimeException e) {
            LOG.error("housekeeping failed: {}", e.toString(), e);
        }
    }

    /** Prefetched by an earlier boot (possibly torn by the crash that ended it) or by an older layout. */
    private void removeStalePrefetch() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.prefetchRoot())) {
            for (Path entry : entries) {
                if (!entry.equals(layout.prefetchDirectory())) {
                    deleteTree(entry);
                }
            }
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    deleteTree(entry);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    private Path prepareSpool(DaemonConfig d) {
        try {
            Path realData = layout.dataDirectory().toRealPath();
            for (Path dir : List.of(layout.root(), layout.pushedDirectory(), layout.failedDirectory(),
                    layout.prefetchRoot(), layout.prefetchDirectory(), layout.pushingDirectory(),
                    layout.fetchingDirectory(), layout.askedDirectory(), layout.answersDirectory())) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            removeStalePrefetch();
            // Left by a daemon that was killed: nothing is in progress yet.
            new WorkMarkers(layout.pushingDirectory()).clear();
            new WorkMarkers(layout.fetchingDirectory()).clear();
            // Asks of launchers that waited for the previous daemon: they have fallen back to the agent by now.
            new WorkMarkers(layout.askedDirectory()).clear();
            new WorkMarkers(layout.answersDirectory()).clear();
            String properties = "# written by the walstow daemon at start-up; read by agents when it does not answer\n"
                    + "fallback=" + (d.fallback() == DaemonConfig.Fallback.FAIL ? "fail" : "in-process") + "\n"
                    + "wait-timeout-ms=" + d.waitTimeout().toMillis() + "\n";
            Path temp = layout.root().resolve(".agent.properties.tmp");
            Files.writeString(temp, properties, StandardCharsets.UTF_8);
            Files.move(temp, layout.agentProperties(), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return realData;
        } catch (IOException e) {
            throw new LocalIoError("cannot prepare " + layout.root() + ": " + e, "run the daemon as the PostgreSQL "
                    + "OS user, which owns the data directory", e);
        }
    }
}
