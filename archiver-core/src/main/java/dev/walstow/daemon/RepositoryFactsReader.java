package dev.walstow.daemon;

import dev.walstow.agent.Failures;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.error.WalstowException;
import dev.walstow.metrics.RepositoryFacts;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.repo.Repository;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what {@code walstow backup}, {@code expire} and {@code verify} recorded in the repository ({@link RunRecords})
 * and hands it to the metrics. Each {@link #refresh}: one listing of {@code status/}, and a read only of a record
 * newer than the one already known. The newest backup is also taken from the backups themselves (a listing of
 * {@code backup/} and one manifest, at the first refresh and then at most every {@link #CATALOG_EVERY}): that finds
 * backups taken before records existed, or whose record could not be written.
 *
 * <p>Not thread-safe: the daemon calls it from one scheduled thread.
 */
final class RepositoryFactsReader {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryFactsReader.class);
    /** The backup listing grows with the backups' size (a part per 256 MiB); hourly is cheap on any store. */
    static final Duration CATALOG_EVERY = Duration.ofHours(1);

    private final Repository repository;
    private final String repositoryId;
    private final WalstowMetrics metrics;
    private final InstantSource clock;
    private final Map<RunRecords.Kind, String> keys = new EnumMap<>(RunRecords.Kind.class);
    private final Map<RunRecords.Kind, RunRecord> records = new EnumMap<>(RunRecords.Kind.class);
    private Optional<RunRecord.Backup> newestInCatalog = Optional.empty();
    private Instant catalogReadAt;
    private String failing;

    RepositoryFactsReader(Repository repository, String repositoryId, WalstowMetrics metrics, InstantSource clock) {
        this.repository = repository;
        this.repositoryId = repositoryId;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Reads what changed and updates the metrics; a failure is logged (once until it clears) and tried again. */
    void refresh() {
        try {
            read();
            if (failing != null) {
                LOG.info("the repository's backup, expire and verify records are readable again");
                failing = null;
            }
        } catch (WalstowException e) {
            failed(e.oneLine());
        } catch (RuntimeException e) {
            failed(Failures.describe(e));
        }
    }

    private void failed(String why) {
        if (!why.equals(failing)) {
            LOG.warn("cannot read the repository's backup, expire and verify records, so their metrics keep their "
                    + "last values: {}", why);
        }
        failing = why;
    }

    private void read() {
        Map<RunRecords.Kind, String> newest = RunRecords.newest(RunRecords.list(repository));
        newest.forEach((kind, key) -> {
            if (!key.equals(keys.get(kind))) {
                RunRecords.read(repository, key).ifPresent(r -> {
                    records.put(kind, r);
                    keys.put(kind, key);
                });
            }
        });
        Instant now = clock.instant();
        if (catalogReadAt == null || !now.isBefore(catalogReadAt.plus(CATALOG_EVERY))) {
            newestInCatalog = BackupCatalog.newest(repository).map(RunRecord.Backup::of);
            catalogReadAt = now;
        }
        Optional<RunRecord.Backup> backup = Stream.concat(newestInCatalog.stream(),
                        Optional.ofNullable(records.get(RunRecords.Kind.BACKUP)).map(RunRecord::backup).stream())
                .max(Comparator.comparing(RunRecord.Backup::stopInstant));
        metrics.repositoryFacts(repositoryId, new RepositoryFacts(
                backup.map(b -> new RepositoryFacts.LastBackup(b.label(), b.stopInstant(), b.bytes(), b.duration(),
                        b.type())),
                run(RunRecords.Kind.EXPIRE), run(RunRecords.Kind.VERIFY)));
    }

    private Optional<RepositoryFacts.LastRun> run(RunRecords.Kind kind) {
        return Optional.ofNullable(records.get(kind))
                .map(r -> new RepositoryFacts.LastRun(r.finishedInstant(), r.ok(), r.problems()));
    }
}
