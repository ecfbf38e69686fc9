package dev.walstow.metrics;

import dev.walstow.agent.ErrorCode;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Every metric the daemon publishes, under the names docs/metrics.md lists (a test compares the two). Callers
 * report events ({@link #archived}, {@link #failed}, ...); gauges read the latest {@link ArchiveState} snapshot,
 * which the RPO guard refreshes once per tick, so a scrape never lists pg_wal itself.
 */
public final class WalstowMetrics {
    /** Latency buckets: one segment takes milliseconds on a local disk, seconds on a slow object store. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<ArchiveState> state = new AtomicReference<>(ArchiveState.UNKNOWN);
    private final RecentErrors recentErrors = new RecentErrors(10);
    private final Counter uploadBytes;
    private final Counter archivedWalBytes;
    private final Counter archivedSegments;
    private final Counter downloadBytes;
    private final Counter prefetchHits;
    private final Counter prefetchMisses;
    private final Counter walSwitches;
    private final Counter rpoBreaches;
    private final Timer uploadLatency;
    private final Timer downloadLatency;
    private final DoubleAdder compressedPlain = new DoubleAdder();
    private final DoubleAdder compressedStored = new DoubleAdder();
    private final AtomicReference<LastArchived> last = new AtomicReference<>();
    private final AtomicReference<RepositoryFacts> facts = new AtomicReference<>();
    private final MultiGauge backupInfo;
    private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();

    /**
     * The last archived segment (newest in WAL order), when it became durable, and where it ends.
     *
     * @param endPosition the LSN, as bytes, at which the segment ends
     */
    public record LastArchived(String segment, long epochMillis, long endPosition) {}

    public WalstowMetrics() {
        MeterRegistry r = registry;
        uploadBytes = Counter.builder("walstow.upload").baseUnit("bytes")
                .description("Bytes written to the repository (compressed, encrypted objects)").register(r);
        archivedWalBytes = Counter.builder("walstow.archived.wal").baseUnit("bytes")
                .description("WAL bytes archived (before compression)").register(r);
        archivedSegments = Counter.builder("walstow.archived.segments")
                .description("WAL files made durable in the repository by the daemon").register(r);
        downloadBytes = Counter.builder("walstow.download").baseUnit("bytes")
                .description("WAL bytes restored from the repository (after decompression)").register(r);
        prefetchHits = Counter.builder("walstow.prefetch.hits")
                .description("archive-get calls answered from the prefetch spool").register(r);
        prefetchMisses = Counter.builder("walstow.prefetch.misses")
                .description("archive-get calls that had to wait for a download").register(r);
        walSwitches = Counter.builder("walstow.wal.switches")
                .description("Segment switches forced by the RPO guard (pg_switch_wal)").register(r);
        rpoBreaches = Counter.builder("walstow.rpo.breaches")
                .description("Times the RPO exposure went past the RPO").register(r);
        uploadLatency = latency("walstow.upload.duration", "One WAL file: read, compress, encrypt, store durably");
        downloadLatency = latency("walstow.download.duration", "One WAL file: fetch, decrypt, verify, install");
        Gauge.builder("walstow.compression.ratio", this, WalstowMetrics::compressionRatio)
                .description("WAL bytes / stored bytes over the objects this daemon created (0 before the first)")
                .register(r);
        gauge("walstow.backlog.segments", null, "WAL files PostgreSQL marked .ready and not yet archived",
                s -> s.backlogSegments());
        gauge("walstow.backlog", "bytes", "Size of the .ready backlog in pg_wal", s -> s.backlogBytes());
        gauge("walstow.oldest.unarchived.age", "seconds", "Age (mtime) of the oldest .ready WAL file; 0 if none",
                s -> s.oldestUnarchivedAgeSeconds());
        gauge("walstow.rpo.exposure", "seconds", "Seconds of committed WAL not yet durable in the repository",
                s -> s.exposureSeconds());
        gauge("walstow.rpo.target", "seconds", "The configured RPO", s -> s.rpoSeconds());
        gauge("walstow.rpo.breached", null, "1 while the RPO exposure is past the RPO, else 0",
                s -> s.exposureSeconds() > s.rpoSeconds() ? 1 : 0);
        gauge("walstow.guard.connected", null, "1 if the RPO guard's last SQL call succeeded, else 0",
                s -> s.guardConnected() ? 1 : 0);
        gauge("walstow.wal.position", "bytes", "Current WAL write position (LSN as bytes); rate() = WAL rate",
                s -> s.walPosition());
        Gauge.builder("walstow.last.archived.timestamp", last,
                        l -> l.get() == null ? 0 : l.get().epochMillis() / 1000.0)
                .baseUnit("seconds").description("Unix time the newest archived WAL file became durable")
                .register(r);
        // The segment as a number, not as a label: a label would make a new series for every segment.
        Gauge.builder("walstow.last.archived.position", last, l -> l.get() == null ? 0 : l.get().endPosition())
                .baseUnit("bytes").description("End of the newest archived WAL segment (LSN as bytes); 0 before the "
                        + "first").register(r);
        backupInfo = MultiGauge.builder("walstow.backup.last.info")
                .description("1, labelled with the repository and the type of its newest complete backup").register(r);
    }

    public String scrape() {
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void update(ArchiveState snapshot) {
        state.set(snapshot);
    }

    public ArchiveState state() {
        return state.get();
    }

    /**
     * One WAL file became durable; {@code storedBytes} is negative when it was already there (nothing sent).
     *
     * @param segmentSize the cluster's, to place a segment in the WAL
     */
    public void archived(WalFileName name, WalSegmentSize segmentSize, long walBytes, long storedBytes,
            Duration took) {
        uploadLatency.record(took);
        archivedSegments.increment();
        archivedWalBytes.increment(walBytes);
        if (storedBytes >= 0) {
            uploadBytes.increment(storedBytes);
            compressedPlain.add(walBytes);
            compressedStored.add(storedBytes);
        }
        if (name instanceof SegmentName segment) {
            LastArchived now = new LastArchived(segment.fileName(), System.currentTimeMillis(),
                    segment.startLsn(segmentSize).value() + segmentSize.bytes());
            last.accumulateAndGet(now, (a, b) -> a == null || a.segment().compareTo(b.segment()) <= 0 ? b : a);
        }
    }

    /**
     * What the repository said on its last reading about backup, expire and verify. The gauges carry the repository's
     * identity as their one label; the backup gauges appear with the first reading (0 while the repository holds no
     * complete backup), those of expire and verify once that command recorded a run.
     */
    public void repositoryFacts(String repository, RepositoryFacts now) {
        facts.set(now);
        Tags tags = Tags.of("repository", repository);
        factGauge("walstow.backup.last.success.timestamp", "seconds", "Unix time the newest complete backup ended "
                + "(pg_backup_stop); 0 when there is none", tags, f -> f.backup()
                        .map(b -> b.stoppedAt().toEpochMilli() / 1000.0).orElse(0.0));
        factGauge("walstow.backup.last.size", "bytes", "Data directory bytes the newest complete backup holds, "
                + "before compression", tags, f -> f.backup().map(b -> (double) b.bytes()).orElse(0.0));
        factGauge("walstow.backup.last.duration", "seconds", "pg_backup_start to pg_backup_stop of the newest "
                + "complete backup", tags, f -> f.backup().map(b -> b.duration().toMillis() / 1000.0).orElse(0.0));
        synchronized (backupInfo) {
            backupInfo.register(now.backup().map(b -> List.of(MultiGauge.Row.of(tags.and("type", b.type()), 1)))
                    .orElse(List.of()), true);
        }
        if (now.expire().isPresent()) {
            factGauge("walstow.expire.last.timestamp", "seconds", "Unix time the last walstow expire finished",
                    tags, f -> f.expire().map(e -> e.finishedAt().toEpochMilli() / 1000.0).orElse(0.0));
            factGauge("walstow.expire.last.success", null, "1 if the last walstow expire did all it set out to do, "
                    + "else 0", tags, f -> f.expire().map(e -> e.ok() ? 1.0 : 0.0).orElse(0.0));
        }
        if (now.verify().isPresent()) {
            factGauge("walstow.verify.last.timestamp", "seconds", "Unix time the last walstow verify finished",
                    tags, f -> f.verify().map(v -> v.finishedAt().toEpochMilli() / 1000.0).orElse(0.0));
            factGauge("walstow.verify.last.success", null, "1 if the last walstow verify found everything intact, "
                    + "else 0", tags, f -> f.verify().map(v -> v.ok() ? 1.0 : 0.0).orElse(0.0));
            factGauge("walstow.verify.last.problems", null, "Missing or corrupt objects, WAL gaps and broken backup "
                    + "chains the last walstow verify found", tags,
                    f -> f.verify().map(v -> (double) v.problems()).orElse(0.0));
        }
    }

    public Optional<RepositoryFacts> repositoryFacts() {
        return Optional.ofNullable(facts.get());
    }

    public void downloaded(long walBytes, Duration took) {
        downloadLatency.record(took);
        downloadBytes.increment(walBytes);
    }

    /** @param operation "push" or "fetch" */
    public void failed(String operation, String fileName, ErrorCode kind, String message) {
        failures.computeIfAbsent(operation + "/" + kind.name(), k -> Counter.builder("walstow.failures")
                .description("Failed attempts by operation and error kind (docs/exit-codes.md)")
                .tags("operation", operation, "kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry)).increment();
        recentErrors.add(operation, fileName, kind, message);
    }

    public void retried(String operation) {
        retries.computeIfAbsent(operation, k -> Counter.builder("walstow.retries")
                .description("Attempts repeated after a retryable failure").tags("operation", operation)
                .register(registry)).increment();
    }

    public void prefetch(boolean hit) {
        (hit ? prefetchHits : prefetchMisses).increment();
    }

    public void walSwitched() {
        walSwitches.increment();
    }

    public void rpoBreached() {
        rpoBreaches.increment();
    }

    public LastArchived lastArchived() {
        return last.get();
    }

    public List<RecentErrors.Entry> recentErrors() {
        return recentErrors.list();
    }

    public double archivedWalBytes() {
        return archivedWalBytes.count();
    }

    public double archivedFiles() {
        return archivedSegments.count();
    }

    public double compressionRatioValue() {
        return compressionRatio();
    }

    public double uploadedBytes() {
        return uploadBytes.count();
    }

    private double compressionRatio() {
        double stored = compressedStored.sum();
        return stored == 0 ? 0 : compressedPlain.sum() / stored;
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .distributionStatisticExpiry(Duration.ofMinutes(5)).register(registry);
    }

    /** Registered once per name and tags (Micrometer returns the existing gauge); reads the latest facts. */
    private void factGauge(String name, String unit, String description, Tags tags,
            java.util.function.ToDoubleFunction<RepositoryFacts> f) {
        Gauge.builder(name, facts, x -> x.get() == null ? 0 : f.applyAsDouble(x.get())).baseUnit(unit)
                .description(description).tags(tags).register(registry);
    }

    private void gauge(String name, String unit, String description, java.util.function.ToDoubleFunction<ArchiveState> f) {
        Gauge.builder(name, state, s -> f.applyAsDouble(s.get())).baseUnit(unit).description(description)
                .register(registry);
    }
}
