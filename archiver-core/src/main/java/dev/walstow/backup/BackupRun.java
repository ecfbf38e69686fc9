package dev.walstow.backup;

import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.catalog.WalPresence;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicIntegerArray;
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

    public record Outcome(BackupManifest manifest, long bytes, double megabytesPerSecond) {}

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

    public Outcome run(boolean fastCheckpoint, Optional<Path> dataDirectory, Progress progress) {
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
            LOG.info("walstow backup {}: started at {} (checkpoint done), reading {}", label, startLsn, data);
            scan = DataDirectoryScan.scan(data);
            tablespaceNames = session.tablespaceNames();
            progress.start(scan.totalBytes(), scan.files().size());
            files = upload(label, scan, parts, progress);
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
                scan.tablespaces().isEmpty() ? null : new TreeMap<>(tablespaceNames));
        lock.confirm();
        BackupCatalog.write(repository.repository(), manifest);
        return new Outcome(manifest, progress.done(), progress.megabytesPerSecond());
    }

    /** One task per part; a file is recorded only if every part of it was read (else it vanished: dropped). */
    private List<BackupManifest.FileEntry> upload(String label, DataDirectoryScan.Result scan, PartStore parts,
            Progress progress) {
        List<Callable<Optional<BackupManifest.StoredPart>>> tasks = new ArrayList<>();
        List<int[]> owner = new ArrayList<>();
        List<DataDirectoryScan.LocalFile> local = scan.files();
        AtomicIntegerArray partsLeft = new AtomicIntegerArray(local.size());
        for (int f = 0; f < local.size(); f++) {
            DataDirectoryScan.LocalFile file = local.get(f);
            int count = (int) Math.max(1, (file.size() + BackupLayout.PART_SIZE - 1) / BackupLayout.PART_SIZE);
            partsLeft.set(f, count);
            int fileIndex = f;
            for (int p = 0; p < count; p++) {
                String key = BackupLayout.partKey(label, f, p);
                long offset = p * BackupLayout.PART_SIZE;
                // The last part reads to the end: the file may have grown since it was listed.
                long limit = p == count - 1 ? Long.MAX_VALUE : BackupLayout.PART_SIZE;
                tasks.add(() -> {
                    lock.ensureHeld();
                    Optional<BackupManifest.StoredPart> stored = parts.store(key, file.source(), offset, limit);
                    stored.ifPresent(s -> progress.add(s.size()));
                    if (partsLeft.decrementAndGet(fileIndex) == 0) {
                        progress.fileDone();
                    }
                    return stored;
                });
                owner.add(new int[] {f, p});
            }
        }
        List<Optional<BackupManifest.StoredPart>> stored = ParallelTasks.run(config.parallelism(), tasks);
        List<BackupManifest.FileEntry> files = new ArrayList<>();
        int i = 0;
        for (int f = 0; f < local.size(); f++) {
            List<BackupManifest.StoredPart> fileParts = new ArrayList<>();
            boolean complete = true;
            for (; i < owner.size() && owner.get(i)[0] == f; i++) {
                complete &= stored.get(i).isPresent();
                stored.get(i).ifPresent(fileParts::add);
            }
            if (complete) {
                long size = fileParts.stream().mapToLong(BackupManifest.StoredPart::size).sum();
                files.add(new BackupManifest.FileEntry(local.get(f).path(), size, local.get(f).mode(), fileParts));
            }
        }
        return files;
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
