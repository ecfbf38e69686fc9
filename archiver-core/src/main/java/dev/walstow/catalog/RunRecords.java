package dev.walstow.catalog;

import dev.walstow.agent.Failures;
import dev.walstow.error.DataError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.UnexpectedError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.Repository;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last runs of {@code walstow backup}, {@code expire} and {@code verify}, kept in the repository: those commands
 * run as processes of their own, often on another host, and the daemon that exports their results as metrics reads
 * them from here (one listing of {@code status/} and a small read when something changed).
 *
 * <pre>
 * status/backup/20260121T141502.317Z.json     one {@link RunRecord} per run, named by when it finished (UTC, ms)
 * status/expire/20260121T150000.021Z.json
 * status/verify/20260120T030012.908Z.json
 * </pre>
 *
 * Objects are create-only, so a run adds a record and never rewrites one; names sort by time, so the newest is the
 * last in a listing; each run then removes all but the newest {@link #KEEP} of its kind. Nothing else in walstow
 * reads or deletes {@code status/}: a lost record costs a metric, never data.
 */
public final class RunRecords {
    private static final Logger LOG = LoggerFactory.getLogger(RunRecords.class);
    public static final String PREFIX = "status/";
    /** Records kept per kind: the newest is all the metrics need; a few more show a history to people. */
    public static final int KEEP = 10;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern KEY = Pattern.compile("status/([a-z]+)/\\d{8}T\\d{6}\\.\\d{3}Z\\.json");

    /** What ran. */
    public enum Kind {
        BACKUP, EXPIRE, VERIFY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String directory() {
            return PREFIX + id() + "/";
        }
    }

    private RunRecords() {}

    /**
     * Adds {@code record} under a new key named by its finishing time (a later millisecond if that one is taken), then
     * removes all but the newest {@link #KEEP} records of its kind.
     *
     * @return the key written
     */
    public static String write(Repository repository, RunRecord record) {
        Kind kind = Kind.valueOf(record.kind().toUpperCase(Locale.ROOT));
        byte[] bytes;
        try {
            bytes = BackupCatalog.JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new IllegalStateException("a run record serializes to JSON", e);
        }
        Instant at = record.finishedInstant();
        for (int attempt = 0; attempt < 1000; attempt++) {
            String key = kind.directory() + STAMP.format(at.plusMillis(attempt)) + ".json";
            try {
                if (repository.store().putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes))
                        instanceof PutResult.Created) {
                    prune(repository, kind);
                    return key;
                }
            } catch (StorageException e) {
                throw RepositoryError.of("writing " + key + " to " + repository.location(), e);
            }
        }
        throw new UnexpectedError("no free name for a " + kind.id() + " record near " + at + " in "
                + repository.location(), null);
    }

    /**
     * As {@link #write}, after a command did its work: the work stands whatever becomes of its record, so a failure
     * to record it is logged (the daemon's metrics then still show the run before), never thrown.
     */
    public static void writeQuietly(Repository repository, RunRecord record) {
        try {
            write(repository, record);
        } catch (WalstowException e) {
            notRecorded(record, e.oneLine());
        } catch (RuntimeException e) {
            notRecorded(record, Failures.describe(e));
        }
    }

    private static void notRecorded(RunRecord record, String why) {
        LOG.warn("the result of this {} is not recorded in the repository, so the daemon's metrics do not show it: {}",
                record.kind(), why);
    }

    /** Every record key, oldest first within each kind: one listing. */
    public static List<String> list(Repository repository) {
        return BackupCatalog.list(repository, PREFIX);
    }

    /** The newest record key of each kind among {@code keys} (a {@link #list}); kinds without a record are absent. */
    public static Map<Kind, String> newest(List<String> keys) {
        Map<Kind, String> newest = new EnumMap<>(Kind.class);
        for (String key : keys) {
            Matcher m = KEY.matcher(key);
            if (!m.matches()) {
                continue;
            }
            for (Kind kind : Kind.values()) {
                if (kind.id().equals(m.group(1)) && key.compareTo(newest.getOrDefault(kind, "")) > 0) {
                    newest.put(kind, key);
                }
            }
        }
        return newest;
    }

    /**
     * @return the record under {@code key}; empty when it is gone (a later run pruned it) or of a format this walstow
     *     does not read
     */
    public static Optional<RunRecord> read(Repository repository, String key) {
        try {
            Optional<StoredObject> object = repository.store().get(key);
            if (object.isEmpty()) {
                return Optional.empty();
            }
            try (StoredObject o = object.get()) {
                RunRecord r = BackupCatalog.JSON.readValue(o.content(), RunRecord.class);
                if (r.format() != RunRecord.FORMAT) {
                    LOG.debug("{} has format {}, this walstow reads {}: skipped", key, r.format(), RunRecord.FORMAT);
                    return Optional.empty();
                }
                return Optional.of(r);
            }
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(), e);
        } catch (IOException e) {
            throw DataError.integrity(key + " is unreadable: " + Failures.describe(e),
                    "delete it; the next run of its command writes a new one", e);
        }
    }

    private static void prune(Repository repository, Kind kind) {
        List<String> keys = BackupCatalog.list(repository, kind.directory()).stream()
                .filter(k -> KEY.matcher(k).matches()).sorted().toList();
        for (String key : keys.subList(0, Math.max(0, keys.size() - KEEP))) {
            try {
                repository.store().delete(key);
            } catch (StorageException e) {
                throw RepositoryError.of("deleting " + key + " from " + repository.location(), e);
            }
        }
    }
}
