package dev.walstow.restore;

import dev.walstow.agent.Failures;
import dev.walstow.archive.Retrier;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.StoredPart;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.catalog.TimelineHistories;
import dev.walstow.catalog.WalCatalog;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code walstow restore}: everything is checked first, before a byte is written (a backup fits the target, the
 * archive holds the WAL it needs, the directories are usable and the files fit, and the configured key decrypts
 * the backup's label and the first WAL segment recovery will fetch), then files are fetched in parallel.
 * {@code global/pg_control} is written last, after every other file is durable: PostgreSQL refuses to start without
 * it, so an interrupted restore can never be started by mistake. backup_label, tablespace_map, the recovery
 * settings and the signal file follow it.
 *
 * <p>A failure after the first write leaves the directories marked as walstow's incomplete restore
 * ({@link TargetDirectory}); its message says so, and the same restore run again resumes there.
 *
 * <p>{@code retrier} is the restore's one retry layer: it repeats each whole part fetch ({@link PartFetch} makes one
 * attempt, and a repeat rewrites the same region) and each history file read ({@link TimelineHistories}).
 */
public final class RestoreRun {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRun.class);
    static final String PG_CONTROL = "global/pg_control";

    /**
     * @param delta reuse the files of a non-empty directory whose checksum matches
     * @param recovery how the restored server starts (type, archive mode, restore_command, further settings)
     * @param tablespaces where tablespaces go
     */
    public record Request(Path pgdata, RecoveryTarget target, Optional<String> set, boolean delta,
            RecoverySettings recovery, TablespaceMapping tablespaces, int parallelism) {}

    public record Outcome(RestorePlan plan, long bytesFetched, long bytesReused, double megabytesPerSecond) {}

    /** What the checks found, and the backup_label they decoded (the proof that the key works). */
    private record Checked(RestorePlan plan, TargetDirectory dir, TargetDirectory.Mode mode, byte[] backupLabel,
            Map<String, Path> tablespaces) {}

    private final BoundRepository repository;
    private final Retrier retrier;

    public RestoreRun(BoundRepository repository, Retrier retrier) {
        this.repository = repository;
        this.retrier = retrier;
    }

    /** Chooses the backup and checks the WAL; reads nothing but listings, manifests and history files. */
    public RestorePlan plan(RecoveryTarget target, Optional<String> set) {
        RepositoryBinding binding = repository.binding();
        List<BackupManifest> backups = BackupCatalog.load(repository.repository()).stream()
                .filter(b -> b.systemIdentifier().equals(binding.systemIdentifier())).toList();
        WalCatalog catalog = WalCatalog.load(repository.repository(), binding.identity().segmentSize());
        TimelineHistories histories = new TimelineHistories(repository, retrier, catalog);
        return RestorePlan.make(backups, catalog, target, set, histories::of);
    }

    /** Every check {@link #run} makes before it writes (--dry-run); writes nothing. */
    public RestorePlan check(Request request) {
        return check(request, false).plan();
    }

    public Outcome run(Request request, Progress progress) {
        Checked checked = check(request, true);
        try {
            return write(request, checked, progress);
        } catch (WalstowException e) {
            throw Incomplete.of(e, checked.dir().root(), checked.tablespaces().values());
        }
    }

    private Checked check(Request request, boolean announce) {
        request.recovery().check(request.target());
        RestorePlan plan = plan(request.target(), request.set());
        BackupManifest backup = plan.backup();
        Map<String, Path> tablespaces = request.tablespaces().locations(backup, request.pgdata());
        TargetDirectory dir = new TargetDirectory(request.pgdata(), tablespaces);
        TargetDirectory.Mode mode = dir.checkUsable(request.delta());
        if (mode == TargetDirectory.Mode.FRESH) {
            dir.checkSpace(backup.files());
        }
        PartFetch fetch = new PartFetch(repository);
        byte[] label = toBytes(fetch, backup.backupLabel());
        String first = RepositoryLayout.keyOf(plan.first());
        retrier.call("decoding " + first, () -> {
            fetch.proveDecodable(first);
            return null;
        });
        if (announce && mode == TargetDirectory.Mode.RESUME) {
            LOG.info("walstow restore: {} holds an incomplete restore ({}): resuming it, reusing the files that match "
                    + "and deleting the rest", dir.root(), TargetDirectory.INCOMPLETE);
        }
        return new Checked(plan, dir, mode, label, tablespaces);
    }

    private Outcome write(Request request, Checked checked, Progress progress) {
        BackupManifest backup = checked.plan().backup();
        TargetDirectory dir = checked.dir();
        boolean reuse = checked.mode() != TargetDirectory.Mode.FRESH;
        PartFetch fetch = new PartFetch(repository);

        dir.createDirectories(backup.directories(), backup.label());
        if (reuse) {
            deleteIfExists(dir.root().resolve(PG_CONTROL)); // first: the directory is unstartable until we finish
            dir.removeUnlisted(backup.files().stream().map(FileEntry::path).collect(Collectors.toSet()),
                    backup.directories().stream().map(BackupManifest.Directory::path).collect(Collectors.toSet()));
        }
        progress.start(backup.totalBytes());
        DataFiles data = new DataFiles(repository, retrier, dir, reuse, progress, request.parallelism());
        List<FileEntry> control = backup.files().stream().filter(f -> f.path().equals(PG_CONTROL)).toList();
        if (control.isEmpty()) {
            throw new LocalIoError("backup " + backup.label() + " has no " + PG_CONTROL,
                    "the backup is damaged; run walstow verify and restore another (--set)", null);
        }
        data.write(checked.plan().chain(), backup.files().stream().filter(f -> !f.path().equals(PG_CONTROL))
                .toList());
        // Last, and never reused: the directory is unstartable until every other file is durable.
        deleteIfExists(dir.resolve(PG_CONTROL));
        new DataFiles(repository, retrier, dir, false, progress, 1).write(checked.plan().chain(), control);

        writeRecoveryFiles(dir.root(), backup, checked, request);
        dir.clearIncomplete();
        if (request.recovery().archiveMode() == RecoverySettings.ArchiveMode.OFF) {
            LOG.info("walstow restore: archive_mode = 'off' in {}/postgresql.auto.conf: the restored server does not "
                    + "archive into the repository; for a server that replaces the primary, restore with "
                    + "--archive-mode preserve (or ALTER SYSTEM RESET archive_mode and restart)", dir.root());
        }
        long fetched = progress.done() - data.reused();
        return new Outcome(checked.plan(), fetched, data.reused(), progress.megabytesPerSecond());
    }

    private void toFile(PartFetch fetch, StoredPart part, Path file) {
        retrier.call("fetching " + part.key(), () -> {
            fetch.toFile(part, file);
            return null;
        });
    }

    private byte[] toBytes(PartFetch fetch, StoredPart part) {
        return retrier.call("fetching " + part.key(), () -> fetch.toBytes(part));
    }

    /** Creates the file with its mode and the manifest's size (--delta: cuts a longer leftover). */
    static void prepare(Path file, FileEntry entry, boolean delta) {
        try {
            if (!delta || !Files.exists(file)) {
                Files.deleteIfExists(file);
                Files.createFile(file);
            }
            try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (ch.size() > entry.size()) {
                    ch.truncate(entry.size());
                }
            }
            TargetDirectory.setMode(file, entry.mode());
        } catch (IOException e) {
            throw new LocalIoError("cannot create " + file + ": " + Failures.describe(e),
                    "check free space and permissions of the target directory", e);
        }
    }

    private void writeRecoveryFiles(Path root, BackupManifest backup, Checked checked, Request request) {
        write(root.resolve("backup_label"), checked.backupLabel());
        if (backup.tablespaceMap() != null) {
            write(root.resolve("tablespace_map"), TablespaceMapping.tablespaceMapFile(checked.tablespaces())
                    .getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder conf = new StringBuilder("\n# added by walstow restore of backup " + backup.label() + "\n");
        request.recovery().lines(request.target()).forEach(l -> conf.append(l).append('\n'));
        Path auto = root.resolve("postgresql.auto.conf");
        try {
            Files.writeString(auto, conf, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            TargetDirectory.setMode(auto, "600");
        } catch (IOException e) {
            throw new LocalIoError("cannot write " + auto + ": " + Failures.describe(e), "check permissions", e);
        }
        TargetDirectory.fsync(auto);
        write(root.resolve(request.recovery().type().signalFile()), new byte[0]);
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
            TargetDirectory.setMode(file, "600");
        } catch (IOException e) {
            throw new LocalIoError("cannot write " + file + ": " + Failures.describe(e), "check permissions", e);
        }
        TargetDirectory.fsync(file);
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new LocalIoError("cannot delete " + file + ": " + Failures.describe(e), "check permissions", e);
        }
    }
}
