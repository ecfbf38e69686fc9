package dev.walstow.catalog;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.backup.BackupChain;
import dev.walstow.backup.BackupManifest;
import dev.walstow.runtime.ParallelTasks;
import dev.walstow.runtime.Progress;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.DataError;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code walstow verify}: checks every object the backups and the WAL archive consist of, in parallel (an incremental
 * file's objects like any other: the manifest has their plaintext SHA-256 and size), that every backup's chain is
 * complete ({@link #brokenChains}), and WAL continuity from each backup's start to the newest segment of its own
 * timeline and of every later timeline descending from it (history files followed). Reads everything, so it takes as
 * long as a full restore without the writing.
 *
 * <p>With a key that opens the objects, each is decrypted and checksummed. Without one (the archiving host: a
 * recipient, no secret key; see {@link WalCodec#decryptsOwnObjects()}), verify checks what it can
 * ({@link #decrypts()} is false): every object present, its stored metadata (SHA-256 and size) against the manifest
 * and the WAL segment size, the object read to its end (an unencrypted one decoded in full, an encrypted one walked
 * packet by packet, see {@link WalCodec#checkWithoutKey}), and WAL continuity within each timeline, since the
 * history files that join timelines are encrypted too. A key that does not open an object is not damage: such
 * objects are counted in {@link Report#undecryptable()}, with the first key error, never as corrupt.
 *
 * <p>Each object is checked with one read, a failure reported as such; the history files the continuity check follows
 * are read through {@link TimelineHistories}, whose reads {@code retrier} repeats.
 */
public final class RepositoryVerify {

    /**
     * @param brokenChains one sentence per backup whose chain is broken (a reference gone, a file without a whole
     *     copy down to the full): restore refuses it
     * @param undecryptable objects the configured key does not open (no such secret key, a wrong passphrase)
     * @param keyError the first of those key errors, if any
     * @param decrypted whether contents were decrypted and checksummed ({@link #decrypts()})
     */
    public record Report(int found, List<String> missing, List<String> corrupt, List<String> gaps,
            List<String> brokenChains, List<String> undecryptable, Optional<WalstowException> keyError,
            boolean decrypted) {
        public boolean ok() {
            return problems() == 0 && undecryptable.isEmpty();
        }

        /** Missing, corrupt, gaps and broken chains: what is wrong with the repository itself, whatever the key. */
        public int problems() {
            return missing.size() + corrupt.size() + gaps.size() + brokenChains.size();
        }
    }

    private final BoundRepository bound;
    private final Repository repository;
    private final WalCodec codec;
    private final Retrier retrier;

    public RepositoryVerify(BoundRepository repository, Retrier retrier) {
        this.bound = repository;
        this.repository = repository.repository();
        this.codec = repository.codec();
        this.retrier = retrier;
    }

    /** Whether this verify decrypts contents; false without a secret key (see the class comment). */
    public boolean decrypts() {
        return codec.decryptsOwnObjects();
    }

    public Report run(int parallelism, Progress progress) {
        WalSegmentSize segmentSize = bound.binding().identity().segmentSize();
        WalCatalog catalog = WalCatalog.load(repository, segmentSize);
        List<BackupManifest> backups = BackupCatalog.load(repository);
        List<Check> checks = new ArrayList<>();
        for (BackupManifest b : backups) {
            b.allParts().forEach(p -> checks.add(new Check(p.key(), Optional.of(p.sha256()), p.size())));
        }
        catalog.allKeys().forEach((name, key) -> checks.add(new Check(key, Optional.empty(),
                isSegment(name) ? segmentSize.bytes() : -1)));
        boolean decrypt = decrypts();
        Problems problems = new Problems();
        progress.start(checks.stream().mapToLong(c -> Math.max(0, c.size())).sum());
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Check c : checks) {
            tasks.add(() -> {
                check(c, decrypt, problems);
                progress.add(Math.max(0, c.size()));
                return null;
            });
        }
        ParallelTasks.run(parallelism, tasks);
        List<String> gaps = new ArrayList<>();
        if (decrypt) {
            TimelineHistories histories = new TimelineHistories(bound, retrier, catalog);
            for (BackupManifest b : backups) {
                gaps.addAll(continuity(b, catalog, histories, problems));
            }
        } else {
            gaps.addAll(continuityWithinTimelines(backups, catalog));
        }
        List<String> m = sorted(problems.missing);
        List<String> k = sorted(problems.corrupt);
        List<String> u = sorted(problems.undecryptable);
        return new Report(checks.size() - m.size() - k.size() - u.size(), m, k, gaps, brokenChains(backups), u,
                Optional.ofNullable(problems.firstKeyError), decrypt);
    }

    /**
     * The check restore makes before it writes anything ({@link BackupChain#of}), for every backup: each reference's
     * manifest there, and every incremental or unchanged file with a version down to a whole copy. Reads only the
     * manifests, so it is the same with or without the key. One sentence per broken chain, naming the backup and the
     * break. (Each chain is walked on its own: chains × files × length, small beside reading every object.)
     */
    static List<String> brokenChains(List<BackupManifest> backups) {
        Map<String, BackupManifest> byLabel = new HashMap<>();
        backups.forEach(b -> byLabel.put(b.label(), b));
        List<String> broken = new ArrayList<>();
        for (BackupManifest b : backups) {
            try {
                BackupChain.of(b, label -> Optional.ofNullable(byLabel.get(label)));
            } catch (DataError e) {
                broken.add(e.getMessage());
            }
        }
        return broken;
    }

    private static boolean isSegment(String fileName) {
        try {
            return WalFileName.parse(fileName) instanceof SegmentName;
        } catch (WalstowException e) {
            return false;
        }
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }

    /** What the parallel checks found; a key problem is kept apart from damage. */
    static final class Problems {
        final List<String> missing = Collections.synchronizedList(new ArrayList<>());
        final List<String> corrupt = Collections.synchronizedList(new ArrayList<>());
        final List<String> undecryptable = Collections.synchronizedList(new ArrayList<>());
        private WalstowException firstKeyError;

        synchronized void failed(String what, WalstowException e) {
            if (e.code() == ErrorCode.KEY) {
                undecryptable.add(what);
                if (firstKeyError == null) {
                    firstKeyError = e;
                }
            } else if (!corrupt.contains(what + ": " + e.getMessage())) {
                corrupt.add(what + ": " + e.getMessage());
            }
        }
    }

    /**
     * WAL continuity from a backup's start along every timeline that descends from it (its own, and each later one
     * whose history file branches off it after the backup's stop), to the newest segment on that timeline's path:
     * what a restore to {@code latest} or to that timeline would need. One line per missing segment.
     */
    static List<String> continuity(BackupManifest b, WalCatalog catalog, TimelineHistories histories,
            Problems problems) {
        long from = b.start().segmentNumber(b.segmentSize());
        long stop = new Lsn(b.stop().value() - 1).segmentNumber(b.segmentSize());
        List<String> gaps = new ArrayList<>();
        java.util.Set<SegmentName> reported = new java.util.HashSet<>();
        for (TimelineId t : catalog.timelines().tailSet(b.timelineId(), true)) {
            TimelineHistory history;
            try {
                history = histories.of(t);
            } catch (WalstowException e) {
                problems.failed("history of timeline " + t.value(), e); // reported once; verify goes on
                continue;
            }
            if (!history.includes(b.timelineId(), b.stop())) {
                continue; // branched off before this backup ended: a restore of it cannot go there
            }
            long to = Math.max(stop, catalog.newestOnPath(history));
            catalog.firstMissing(history, from, to).filter(reported::add).ifPresent(s -> gaps.add("backup "
                    + b.label() + ": WAL segment " + s + " is missing (timeline " + t.value() + ": checked "
                    + SegmentName.of(b.timelineId(), from, b.segmentSize()) + " to "
                    + SegmentName.of(t, to, b.segmentSize()) + ")"));
        }
        return gaps;
    }

    /**
     * WAL continuity without the history files (encrypted, so unreadable without the secret key): PostgreSQL archives
     * every segment of a timeline from the one it began in, so each timeline's own segments must follow each other.
     * Checked per timeline from the start of the oldest backup on it (or, for a timeline only later than some
     * backup's, from its first segment after that backup's start) to its newest segment or the backup's stop. Where
     * one timeline branches off another is what the history files say, so that junction is checked only with the key.
     * One line per timeline with a missing segment.
     */
    static List<String> continuityWithinTimelines(List<BackupManifest> backups, WalCatalog catalog) {
        List<String> gaps = new ArrayList<>();
        WalSegmentSize size = catalog.segmentSize();
        for (TimelineId t : catalog.timelines()) {
            OptionalLong own = backups.stream().filter(b -> b.timelineId().equals(t))
                    .mapToLong(b -> b.start().segmentNumber(size)).min();
            OptionalLong earlier = backups.stream().filter(b -> b.timelineId().compareTo(t) < 0)
                    .mapToLong(b -> b.start().segmentNumber(size)).min();
            OptionalLong ownStop = backups.stream().filter(b -> b.timelineId().equals(t))
                    .mapToLong(b -> new Lsn(b.stop().value() - 1).segmentNumber(size)).max();
            Optional<Long> newest = catalog.newest(t);
            Optional<Long> firstAfter = earlier.isPresent() && newest.isPresent()
                    ? catalog.oldestWithin(t, earlier.getAsLong(), newest.get()) : Optional.empty();
            if (own.isEmpty() && firstAfter.isEmpty()) {
                continue; // no backup can reach this timeline's WAL
            }
            long from = Math.min(own.orElse(Long.MAX_VALUE), firstAfter.orElse(Long.MAX_VALUE));
            long to = Math.max(newest.orElse(-1L), ownStop.orElse(-1L));
            catalog.firstMissing(TimelineHistory.root(t), from, to).ifPresent(s -> gaps.add("WAL segment " + s
                    + " is missing (timeline " + t.value() + ": checked " + SegmentName.of(t, from, size) + " to "
                    + SegmentName.of(t, to, size) + ")"));
        }
        return gaps;
    }

    /** @param size the plaintext size the object must have (a backup part's, a WAL segment's), or -1 */
    private record Check(String key, Optional<String> expectedSha, long size) {}

    private void check(Check c, boolean decrypt, Problems problems) {
        try {
            Optional<StoredObject> object = repository.store().get(c.key());
            if (object.isEmpty()) {
                problems.missing.add(c.key());
                return;
            }
            try (StoredObject o = object.get()) {
                ObjectMeta meta = o.meta();
                if (decrypt) {
                    CodecResult r = codec.decode(o.content(), OutputStream.nullOutputStream());
                    checkContent(c, meta, r, problems);
                    return;
                }
                String expected = c.expectedSha().orElse(meta.sha256());
                if (!meta.sha256().equals(expected)) {
                    problems.corrupt.add(c.key() + ": its stored metadata says sha256 " + meta.sha256()
                            + ", the backup manifest " + expected);
                    return;
                }
                if (c.size() >= 0 && meta.plainSize() != c.size()) {
                    problems.corrupt.add(c.key() + ": its stored metadata says " + meta.plainSize()
                            + " bytes, expected " + c.size());
                    return;
                }
                CodecResult r = codec.checkWithoutKey(o.content());
                if (r.sha256().isPresent()) {
                    checkContent(c, meta, r, problems); // not encrypted: decoded in full
                } else if (r.storedSize() != o.storedSize()) {
                    problems.corrupt.add(c.key() + ": read " + r.storedSize() + " bytes of an object the store "
                            + "says has " + o.storedSize());
                }
            }
        } catch (StorageException e) {
            problems.corrupt.add(c.key() + ": unreadable: " + e.getMessage());
        } catch (WalstowException e) {
            problems.failed(c.key(), e);
        } catch (java.io.IOException e) {
            problems.corrupt.add(c.key() + ": unreadable: " + Failures.describe(e));
        }
    }

    private static void checkContent(Check c, ObjectMeta meta, CodecResult r, Problems problems) {
        String expected = c.expectedSha().orElse(meta.sha256());
        if (!r.sha256Hex().equals(expected) || !r.sha256Hex().equals(meta.sha256())) {
            problems.corrupt.add(c.key() + ": sha256 " + r.sha256Hex() + ", expected " + expected);
        } else if (r.plainSize() != meta.plainSize()) {
            problems.corrupt.add(c.key() + ": " + r.plainSize() + " bytes, expected " + meta.plainSize());
        }
    }
}
