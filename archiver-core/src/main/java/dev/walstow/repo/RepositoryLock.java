package dev.walstow.repo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walstow.agent.Failures;
import dev.walstow.config.Durations;
import dev.walstow.error.LockConflict;
import dev.walstow.error.RepositoryError;
import dev.walstow.storage.ListedObject;
import dev.walstow.storage.LocalProcess;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository lock: at most one {@code walstow backup} or {@code walstow expire} works on a repository at a time.
 * A second one refuses at once and names the holder (host, pid, since when); {@code verify} and {@code info} only
 * look at it; {@code archive-push} and {@code archive-get} never touch it.
 *
 * <h2>Objects</h2>
 * <pre>
 * lock/00000000000000000007.json                   generation 7's holder ({@link LockRecord}), create-only
 * lock/00000000000000000007.beat.0000000042.json   its 42nd heartbeat ({@link LockBeat}: time, progress)
 * lock/00000000000000000007.released.json          it let go
 * </pre>
 * The holder of the lock is the holder of the <em>highest</em> generation listed, unless that generation is
 * released. A store offers create-only puts, reads, listings and unconditional deletes, nothing that replaces an
 * object or deletes it only if it is still what was read; the scheme is built from those alone:
 *
 * <ul>
 *   <li><b>Taking it</b> ({@link #acquire}): list {@code lock/}; if the highest generation G is held, judge its
 *       holder (below) and refuse if it runs; otherwise create {@code G+1}'s record with {@code putIfAbsent}. Of two
 *       processes racing for G+1 exactly one gets {@code Created}; the other reads again and finds the winner. Only
 *       then are older generations' objects deleted. The highest generation's record is never deleted, so
 *       generations only grow and are never reused, and a takeover deletes nothing anyone still relies on.
 *       (One fixed key, taken over by delete and create, is not safe: two processes taking over the same stale
 *       lock would each delete the lock the other had just created, and both would hold it.)</li>
 *   <li><b>Heartbeat</b> ({@link HeldLock}): objects cannot be rewritten, so every {@link Timing#heartbeat} the
 *       holder creates the next beat object (with its progress), then confirms that it still holds the lock (the
 *       highest generation is its own, with its token, not released) and deletes its previous beat. A holder that
 *       finds another generation above its own has been taken over: it stops at its next check.</li>
 *   <li><b>Lease</b>: a holder believes it holds the lock only until half of {@link Timing#staleAfter} after the
 *       start of its last confirmed heartbeat (by its monotonic clock); past that its checks fail and it stops.
 *       Others take the lock over only after the whole {@code staleAfter} without heartbeat, measured by their
 *       clock against the heartbeat's time as written and as stored (whichever is newer). So, with hosts' clocks
 *       within {@code staleAfter / 2} of each other, a live holder has given up before anyone takes its lock, and
 *       never two processes believe they hold it. A holder that cannot renew (the store is unreachable) therefore
 *       stops after {@code staleAfter / 2}.</li>
 *   <li><b>A dead holder</b>: a holder on this host (same boot id and pid namespace, {@link LocalProcess}) whose
 *       process has exited is taken over at once; any other only once stale. A takeover is logged with the
 *       holder and the reason.</li>
 *   <li><b>Release</b>: the holder creates {@code released}; the next one to take the lock deletes the older
 *       generations. A process killed before it released is a dead holder.</li>
 * </ul>
 *
 * <p>What the store must give: create-only puts where exactly one of two racing writers wins (posix: {@code
 * symlink(2)}; S3 with {@code If-None-Match: *}), and listings that show a created object at once (posix; AWS S3
 * and the usual S3 stores are strongly consistent). With {@code conditional-write = "head"} (a store that
 * ignores {@code If-None-Match}) two processes starting within the same moment can both create G+1, the later
 * write replacing the earlier: each reads the record back right after creating it and at every heartbeat, so the
 * one whose record was replaced stops within one heartbeat, but for those seconds two backups run.
 */
public final class RepositoryLock {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryLock.class);
    public static final String PREFIX = "lock/";
    /** How often a holder renews the lock (and publishes its progress). */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern KEY =
            Pattern.compile("lock/([0-9]{20})(?:\\.beat\\.([0-9]{10})|\\.(released))?\\.json");
    /** Races lost in a row before giving up: each loss means another process took the lock in between. */
    private static final int ATTEMPTS = 3;

    /**
     * @param staleAfter how long a holder elsewhere may stay silent before it is taken over
     * @param heartbeat how often a holder renews the lock; well below {@code staleAfter / 2}
     */
    public record Timing(Duration staleAfter, Duration heartbeat) {
        public Timing {
            if (heartbeat.multipliedBy(3).compareTo(staleAfter.dividedBy(2)) > 0) {
                throw new IllegalArgumentException("heartbeat " + heartbeat + " too long for " + staleAfter);
            }
        }

        public static Timing of(Duration staleAfter) {
            return new Timing(staleAfter, HEARTBEAT);
        }

        Duration lease() {
            return staleAfter.dividedBy(2);
        }
    }

    private final Repository repository;
    private final Timing timing;
    private final InstantSource clock;
    private final LongSupplier nanoTime;
    private final LockOwner self;

    /** For tests: the clocks (wall time for records and judging, monotonic for the holder's lease) and the owner. */
    public RepositoryLock(Repository repository, Timing timing, InstantSource clock, LongSupplier nanoTime,
            LockOwner self) {
        this.repository = repository;
        this.timing = timing;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.self = self;
    }

    /** The lock of {@code repository}, as this process takes and judges it. */
    public static RepositoryLock of(Repository repository, Duration staleAfter) {
        return new RepositoryLock(repository, Timing.of(staleAfter), InstantSource.system(), System::nanoTime,
                LockOwner.current());
    }

    /**
     * Takes the lock for {@code command} ({@code backup}, {@code expire}) and starts its heartbeat; close the
     * returned lock to release it (a shutdown hook releases it on SIGTERM too).
     *
     * @throws LockConflict if a running backup or expire holds it, naming that one
     */
    public HeldLock acquire(String command) {
        String token = UUID.randomUUID().toString();
        for (int attempt = 1; ; attempt++) {
            View view = read();
            Optional<ActiveLock> active = active(view);
            if (active.isPresent()) {
                ActiveLock a = active.get();
                if (a.running()) {
                    throw refusal(command, a);
                }
                LOG.warn("{}: taking over the repository lock of {} in {}: {}", command, a.describe(),
                        repository.location(), a.reason() + (a.state() == ActiveLock.State.STALE
                                ? " (more than [backup] lock-stale-after, " + Durations.text(timing.staleAfter())
                                        + ")" : ""));
            }
            long next = view.generation() + 1;
            LockRecord mine = new LockRecord(LockRecord.FORMAT, next, token, command, self.host(), self.user(),
                    self.pid(), self.process().orElse(null), now().toString());
            long start = nanoTime.getAsLong();
            if (create(holderKey(next), mine)) {
                HeldLock held = new HeldLock(this, mine, timing, nanoTime, start);
                try {
                    confirm(held); // read back: a store without conditional writes may have let another win
                } catch (RuntimeException e) {
                    held.close();
                    throw e;
                }
                view.keys().stream().filter(k -> generationOf(k).orElse(Long.MAX_VALUE) < next)
                        .forEach(this::deleteQuietly);
                return held.start();
            }
            if (attempt == ATTEMPTS) {
                throw new LockConflict("the repository lock of " + repository.location() + " changed hands "
                        + ATTEMPTS + " times while this " + command + " tried to take it",
                        "run it again; walstow info shows who holds it");
            }
        }
    }

    /** Who holds the lock now, if anyone, and whether it may be taken over. */
    public Optional<ActiveLock> active() {
        return active(read());
    }

    /** The highest generation listed (0: the lock was never taken): it grows by one with every acquisition. */
    public long generation() {
        return read().generation();
    }

    /**
     * What a command that only reads (verify) learns from the lock before it starts: the generation, to tell later
     * whether the lock changed hands meanwhile, and a running backup, whose objects have no manifest yet (the
     * reader skips them anyway).
     */
    public record Reading(long generation, Optional<ActiveLock> backup) {
        /** The line for the reader's output while a backup runs. */
        public Optional<String> note() {
            return backup.map(b -> "a backup is running (" + b.holder().describe() + "): only complete backups "
                    + "are checked");
        }
    }

    /**
     * For a command that only reads (verify) and takes no lock, so that a backup may run meanwhile: refuses while an
     * expire runs, which deletes what it would read.
     *
     * @throws LockConflict if an expire holds the lock
     */
    public Reading beforeReading(String command) {
        View view = read();
        Optional<ActiveLock> active = active(view).filter(ActiveLock::running);
        if (active.isPresent() && !active.get().holder().command().equals("backup")) {
            throw new LockConflict("an " + active.get().holder().command() + " is running: "
                    + active.get().holder().describe() + " (" + active.get().heartbeat() + ") in "
                    + repository.location() + "; it deletes what " + command + " would read",
                    "run " + command + " once it has finished");
        }
        return new Reading(view.generation(), active);
    }

    /**
     * After a read-only command: whether the lock was taken since {@code before} (an expire may have deleted what the
     * command then found missing), as the line to print with its findings.
     */
    public Optional<String> takenSince(Reading before, String command) {
        long taken = generation() - before.generation();
        return taken <= 0 ? Optional.empty() : Optional.of("note: the repository lock was taken " + taken
                + " time(s) while " + command + " ran (by a backup or an expire): what an expire deleted meanwhile "
                + "is reported missing above; run " + command + " again");
    }

    Repository repository() {
        return repository;
    }

    /** Wall time for what is written (to the millisecond: it is read by people too). */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Throws (and marks {@code held} lost) unless the highest generation is still {@code held}'s, unreleased. */
    void confirm(HeldLock held) {
        View view = read();
        LockRecord mine = held.record();
        boolean ours = view.generation() == mine.generation() && !view.released()
                && view.holder().map(LockRecord::token).filter(mine.token()::equals).isPresent();
        if (ours) {
            return;
        }
        String by;
        if (view.generation() > mine.generation()) {
            by = view.holder().map(h -> "it was taken over by " + h.command() + " on " + h.describe())
                    .orElse("generation " + view.generation() + " replaced it");
        } else if (view.generation() == mine.generation() && view.released()) {
            by = "it was released";
        } else if (view.generation() == mine.generation() && view.holder().isPresent()) {
            by = "another process's record replaced this one's (a store without conditional writes): "
                    + view.holder().get().command() + " on " + view.holder().get().describe();
        } else {
            by = "its record in " + PREFIX + " is gone";
        }
        throw held.lost(new LockConflict("this " + mine.command() + " lost the repository lock of "
                + repository.location() + " (" + mine.describe() + "): " + by, "run it again once the other has "
                + "finished (what this run stored without a manifest is removed by expire); if this recurs, the "
                + "repository or this host stalled for longer than half of [backup] lock-stale-after ("
                + Durations.text(timing.staleAfter()) + "): raise it"));
    }

    private LockConflict refusal(String command, ActiveLock a) {
        String who = a.holder().command().equals(command) ? "another " + command
                : (a.holder().command().startsWith("e") ? "an " : "a ") + a.holder().command();
        String progress = a.progress().map(p -> "progress " + p.text() + "; ").orElse("");
        return new LockConflict(who + " is running: " + a.holder().describe() + " (" + progress + a.heartbeat()
                + ") in " + repository.location(), "wait for it to finish (walstow info shows its progress); a "
                + "holder that died is taken over by the next " + command + ": at once on its own host, after "
                + Durations.text(timing.staleAfter()) + " without heartbeat ([backup] lock-stale-after) from another");
    }

    private Optional<ActiveLock> active(View view) {
        if (view.holder().isEmpty() || view.released()) {
            return Optional.empty();
        }
        LockRecord holder = view.holder().get();
        Optional<LockBeat> beat = view.newestBeat().flatMap(b -> readJson(b.key(), LockBeat.class));
        Instant last = Stream.of(Optional.of(holder.sinceInstant()), beat.map(LockBeat::timeInstant),
                        view.holderListed().flatMap(ListedObject::lastModified),
                        view.newestBeat().flatMap(ListedObject::lastModified))
                .flatMap(Optional::stream).max(Instant::compareTo).orElseThrow();
        Duration silence = Duration.between(last, clock.instant());
        silence = silence.isNegative() ? Duration.ZERO : silence;
        ActiveLock.State state;
        if (exited(holder)) {
            state = ActiveLock.State.EXITED;
        } else if (silence.compareTo(timing.staleAfter()) > 0) {
            state = ActiveLock.State.STALE;
        } else {
            state = ActiveLock.State.RUNNING;
        }
        return Optional.of(new ActiveLock(holder, beat.map(LockBeat::progress), last, silence, state));
    }

    /**
     * Provably exited: it ran in our boot and pid namespace and its process is gone. Under {@code hidepid} a missing
     * process proves nothing unless it ran as our user (see {@link LocalProcess#isDead}).
     */
    private boolean exited(LockRecord holder) {
        return Optional.ofNullable(holder.process()).flatMap(LocalProcess::parse)
                .map(p -> p.isDead(holder.user().equals(self.user()))).orElse(false);
    }

    /** What {@code lock/} holds about its highest generation, and every key (for clearing older generations). */
    record View(long generation, Optional<ListedObject> holderListed, Optional<LockRecord> holder, boolean released,
            Optional<ListedObject> newestBeat, List<String> keys) {}

    View read() {
        List<ListedObject> listed;
        try {
            listed = repository.store().listWithInfo(PREFIX);
        } catch (StorageException e) {
            throw RepositoryError.of("reading the repository lock (" + PREFIX + ")", e);
        }
        long top = listed.stream().mapToLong(o -> generationOf(o.key()).orElse(0L)).max().orElse(0);
        Optional<ListedObject> holder = Optional.empty();
        Optional<ListedObject> beat = Optional.empty();
        boolean released = false;
        for (ListedObject o : listed) {
            Matcher m = KEY.matcher(o.key());
            if (!m.matches() || generationOf(o.key()).filter(g -> g == top).isEmpty()) {
                continue;
            }
            if (m.group(2) != null) {
                beat = Optional.of(o); // listings are sorted: the last beat is the newest
            } else if (m.group(3) != null) {
                released = true;
            } else {
                holder = Optional.of(o);
            }
        }
        Optional<LockRecord> record = holder.flatMap(h -> readJson(h.key(), LockRecord.class));
        return new View(top, holder, record, released, beat, listed.stream().map(ListedObject::key).toList());
    }

    /** A key of {@code lock/} that is not the lock's (or a number past any real generation) is ignored. */
    private static Optional<Long> generationOf(String key) {
        Matcher m = KEY.matcher(key);
        try {
            return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    static String holderKey(long generation) {
        return PREFIX + String.format("%020d", generation) + ".json";
    }

    static String beatKey(long generation, long seq) {
        return PREFIX + String.format("%020d.beat.%010d", generation, seq) + ".json";
    }

    static String releasedKey(long generation) {
        return PREFIX + String.format("%020d", generation) + ".released.json";
    }

    /** @return true if created, false if the key was taken */
    boolean create(String key, Object content) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(content);
        } catch (IOException e) {
            throw new IllegalStateException("lock objects serialize to JSON", e);
        }
        try {
            return repository.store().putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes)) instanceof PutResult.Created;
        } catch (StorageException e) {
            throw RepositoryError.of("writing the repository lock (" + key + ")", e);
        }
    }

    /** Empty if the object is gone (a holder deletes its previous heartbeat); unreadable JSON is refused. */
    private <T> Optional<T> readJson(String key, Class<T> type) {
        try {
            Optional<StoredObject> object = repository.store().get(key);
            if (object.isEmpty()) {
                return Optional.empty();
            }
            try (StoredObject o = object.get()) {
                return Optional.of(JSON.readValue(o.content(), type));
            }
        } catch (StorageException e) {
            throw RepositoryError.of("reading the repository lock (" + key + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new LockConflict("the repository lock's " + key + " in " + repository.location()
                    + " is unreadable: " + Failures.describe(e), "if no walstow backup or expire is running, "
                    + "delete " + PREFIX + " (it holds only the lock) and run it again", e);
        }
    }

    /** Tidying only: what is left is harmless and the next acquisition deletes it. */
    void deleteQuietly(String key) {
        try {
            repository.store().delete(key);
        } catch (StorageException | RuntimeException e) {
            LOG.debug("could not delete {} (left for the next acquisition): {}", key, Failures.describe(e));
        }
    }
}
