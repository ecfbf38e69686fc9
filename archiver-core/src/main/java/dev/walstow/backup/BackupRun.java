package dev.walstow.backup;

import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.catalog.TimelineHistory;
import dev.walstow.catalog.WalPresence;
import dev.walstow.backup.delta.WalSummaries;
import dev.walstow.archive.Retrier;
import dev.walstow.config.WalstowConfig.BackupConfig;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.UserError;
import dev.walstow.pg.PgConnections;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.HeldLock;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code walstow backup}: a non-exclusive base backup read from the data directory, each file (or part) compressed,
 * encrypted and stored in parallel. The manifest is written last, and only once the repository holds every WAL
 * segment from the backup's start to its stop: a backup without that WAL cannot be restored, so until then it does
 * not exist as far as restore, info and expire are concerned.
 *
 * <p>{@code retrier} is the one retry layer of the backup's repository calls: each part's put
 * ({@link PartStore}) and each check for the backup's WAL.
 *
 * <p>The caller holds the repository lock ({@code lock}): every part and every wait for WAL first checks that it is
 * still held, and the manifest is written only after a read confirms it, so a backup whose lock was taken over
 * (it stalled for longer than the lease) stops instead of recording a backup another process no longer expects.
 */
public final class BackupRun {
    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);
    private static final Pattern START_TIMELINE = Pattern.compile("(?m)^START TIMELINE: (\\d+)$");

    /**
     * @param decision the type taken and why
     * @param changesFrom how the changed blocks were found (empty for a full), said in words
     */
    public record Outcome(BackupManifest manifest, long bytes, double megabytesPerSecond,
            ReferenceChoice.Decision decision, Optional<String> changesFrom) {}

    /** How long an incremental waits for PostgreSQL 17's WAL summarizer to reach the backup's start. */
    static final Duration SUMMARY_WAIT = Duration.ofMinutes(2);

    private final BoundRepository repository;
    private final Retrier retrier;
    private final PgConnections connections;
    private final BackupConfig config;
    private final HeldLock lock;

    public BackupRun(BoundRepository repository, Retrier retrier, PgConnections connections, BackupConfig config,
            HeldLock lock) {
        this.repository = repository;
        this.retrier = retrier;
        this.connections = connections;
        this.config = config;
        this.lock = lock;
    }

    /** @param requested {@code --type}; empty: an incremental when a usable backup exists, else a full */
    public Outcome run(Optional<BackupType> requested, boolean fastCheckpoint, Optional<Path> dataDirectory,
            Progress progress) {
        RepositoryBinding binding = repository.binding();
        PartStore parts = new PartStore(repository, retrier, config.tempDir());
        PgBackupSession.Stopped stopped;
        Instant startTime;
        Lsn startLsn;
        String label;
        DataDirectoryScan.Result scan;
        Map<String, String> tablespaceNames;
        List<BackupManifest.FileEntry> files;
        int versionNum;
        int blockSize;
        boolean dataChecksums;
        ReferenceChoice.Decision decision;
        Optional<String> changesFrom = Optional.empty();
        String source = null;
        BackupFiles reader;
        try (PgBackupSession session = PgBackupSession.open(connections)) {
            versionNum = session.versionNum();
            String systemId = session.systemIdentifier();
            if (!systemId.equals(binding.systemIdentifier())) {
                throw UserError.binding("the server at " + connections.describe() + " is system " + systemId
                        + " but repository " + repository.location() + " belongs to " + binding.describe(),
                        "point [postgres] at the cluster this repository archives");
            }
            Path data = dataDirectory.orElseGet(() -> Path.of(session.dataDirectory()));
            if (!Files.isReadable(data.resolve("PG_VERSION"))) {
                throw UserError.usage("cannot read the data directory " + data + " (no readable PG_VERSION)",
                        "run walstow backup on the database host as the PostgreSQL OS user");
            }
            startTime = session.now();
            label = BackupLayout.labelFor(startTime);
            startLsn = session.start("walstow " + label, fastCheckpoint);
            blockSize = session.intSetting("block_size");
            dataChecksums = session.dataChecksums();
            TimelineHistory history = LocalTimelineHistory.read(data, session.checkpointTimeline());
            decision = ReferenceChoice.decide(requested, BackupCatalog.load(repository.repository()),
                    new ReferenceChoice.Server(systemId, versionNum, history, startLsn, dataChecksums));
            LOG.info("walstow backup {}: {} backup, started at {} (checkpoint done), reading {}; {}", label,
                    decision.type().text(), startLsn, data, decision.why());
            Optional<BackupFiles.Delta> delta = Optional.empty();
            if (decision.reference().isPresent()) {
                BackupChain chain = decision.reference().get();
                WalSummaries.Loaded loaded = versionNum >= 170000
                        ? WalSummaries.load(session.connection(), chain.newest().start(), startLsn,
                                history.path().stream().map(s -> s.timeline().value()).collect(Collectors.toSet()),
                                SUMMARY_WAIT, System::nanoTime)
                        : new WalSummaries.Loaded(Optional.empty(), "PostgreSQL " + versionNum / 10000
                                + " has no WAL summaries");
                source = loaded.summaries().isPresent() ? "wal-summary" : "page-scan";
                changesFrom = Optional.of(loaded.summaries().isPresent() ? "changed blocks from " + loaded.why()
                        : "changed blocks by a page scan (every page read, those with an LSN at or after "
                                + chain.newest().start() + " kept): " + loaded.why());
                LOG.info("walstow backup {}: {}", label, changesFrom.get());
                delta = Optional.of(new BackupFiles.Delta(chain, blockSize, session.intSetting("segment_size"),
                        loaded.summaries(), dataChecksums));
            }
            scan = DataDirectoryScan.scan(data);
            tablespaceNames = session.tablespaceNames();
            progress.start(scan.totalBytes(), scan.files().size());
            reader = new BackupFiles(label, parts, lock, config.parallelism(), progress, delta);
            files = reader.upload(scan.files());
            stopped = session.stop();
        }
        TimelineId timeline = timelineOf(stopped.backupLabel());
        lock.ensureHeld();
        BackupManifest.StoredPart labelPart = parts.storeBytes(BackupLayout.backupLabelKey(label),
                stopped.backupLabel().getBytes(StandardCharsets.UTF_8));
        BackupManifest.StoredPart mapPart = stopped.tablespaceMap() == null ? null
                : parts.storeBytes(BackupLayout.tablespaceMapKey(label),
                        stopped.tablespaceMap().getBytes(StandardCharsets.UTF_8));
        WalSegmentSize size = binding.identity().segmentSize();
        awaitWal(timeline, startLsn, stopped.stopLsn(), size);
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, label, binding.systemIdentifier(),
                versionNum, timeline.value(), startLsn.toString(), stopped.stopLsn().toString(),
                startTime.toString(), stopped.stopTime().toString(), size.bytes(), repository.codec().codecName(),
                labelPart, mapPart, new TreeMap<>(scan.tablespaces()), scan.directories(), files,
                scan.tablespaces().isEmpty() ? null : new TreeMap<>(tablespaceNames))
                .withChain(decision.type(), decision.reference().map(c -> c.newest().label()).orElse(null),
                        blockSize, source, reader.stats()).withDataChecksums(dataChecksums);
        lock.confirm();
        BackupCatalog.write(repository.repository(), manifest);
        return new Outcome(manifest, progress.done(), progress.megabytesPerSecond(), decision, changesFrom);
    }

    /**
     * Waits (bounded by {@code [backup] archive-timeout}) until every segment from the start segment to the one
     * holding the last byte before the stop LSN is in the repository. pg_backup_stop switched segments, so
     * archive_command is already on its way.
     */
    private void awaitWal(TimelineId timeline, Lsn start, Lsn stop, WalSegmentSize size) {
        long first = start.segmentNumber(size);
        long last = new Lsn(Math.max(start.value(), stop.value() - 1)).segmentNumber(size);
        long deadline = System.nanoTime() + config.archiveTimeout().toNanos();
        long next = first;
        while (next <= last) {
            lock.ensureHeld();
            SegmentName name = SegmentName.of(timeline, next, size);
            if (WalPresence.inRepository(repository.repository(), retrier, name)) {
                next++;
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new RepositoryError("the backup's WAL did not reach the repository within "
                        + config.archiveTimeout().toSeconds() + " s: " + name + " is missing (needed from "
                        + SegmentName.of(timeline, first, size) + " to " + SegmentName.of(timeline, last, size)
                        + ")", "check archive_command and pg_stat_archiver; the backup is not recorded (no "
                        + "manifest) and its objects are removed by walstow expire", false, null);
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.walstow.error.UnexpectedError("interrupted while waiting for WAL", e);
        }
    }

    static TimelineId timelineOf(String backupLabel) {
        Matcher m = START_TIMELINE.matcher(backupLabel);
        if (!m.find()) {
            throw new IllegalStateException("backup_label without START TIMELINE: " + backupLabel);
        }
        return new TimelineId(Long.parseLong(m.group(1)));
    }
}
