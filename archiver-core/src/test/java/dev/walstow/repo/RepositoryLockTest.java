package dev.walstow.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.error.LockConflict;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.LocalProcess;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.storage.s3.S3ObjectStore;
import dev.walstow.storage.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repository lock on every backend (in memory, posix, S3 through s3proxy): refusal naming the holder, release,
 * takeover of a dead or silent holder, a holder that lost its lock, the lease, and what readers and info see.
 * Wall time is the test's ({@link #now}, started at the real time so that the stores' own object times agree with
 * it); the holder's monotonic clock follows it unless a test says otherwise.
 */
class RepositoryLockTest {
    private static final Duration STALE = Duration.ofMinutes(10);
    /** The heartbeat thread never fires within a test: the tests beat by hand. */
    private static final RepositoryLock.Timing TIMING = new RepositoryLock.Timing(STALE, Duration.ofSeconds(100));
    private static final LockOwner OTHER_HOST = new LockOwner("db2", "postgres", 4242,
            Optional.of(new LocalProcess("f".repeat(32), 1, 4242, 1).token()));
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static Path s3Data;
    private static S3ProxyServer s3;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private final InstantSource clock = now::get;
    private final List<AutoCloseable> open = java.util.Collections.synchronizedList(new ArrayList<>());
    private Path posixRoot;

    /** One kind of store; each call makes a fresh, empty repository. */
    @FunctionalInterface
    interface Backend {
        ObjectStore newStore(RepositoryLockTest test) throws Exception;
    }

    static Stream<Named<Backend>> backends() {
        return Stream.of(Named.of("in memory", t -> new InMemoryObjectStore()),
                Named.of("posix", t -> new PosixObjectStore(Files.createDirectories(t.posixRoot
                        .resolve("repo-" + PREFIXES.incrementAndGet())))),
                Named.of("s3", t -> S3ObjectStore.open(s3().settings("locks",
                        "r" + PREFIXES.incrementAndGet() + "/"))));
    }

    private static synchronized S3ProxyServer s3() throws Exception {
        if (s3 == null) {
            s3Data = Files.createTempDirectory("walstow-lock-s3-");
            s3 = S3ProxyServer.start(s3Data);
            s3.createBucket("locks");
        }
        return s3;
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
            dev.walstow.runtime.LocalFiles.deleteTree(s3Data);
        }
    }

    @BeforeEach
    void posixRoot() throws Exception {
        posixRoot = Files.createTempDirectory("walstow-lock-posix-");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        dev.walstow.runtime.LocalFiles.deleteTree(posixRoot);
    }

    private Repository repository(Backend backend) throws Exception {
        Repository repository = new Repository(backend.newStore(this));
        open.add(repository);
        return repository;
    }

    private RepositoryLock lock(Repository repository, LockOwner owner) {
        return new RepositoryLock(repository, TIMING, clock, this::nanos, owner);
    }

    private long nanos() {
        Instant t = now.get();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private HeldLock hold(RepositoryLock lock, String command) {
        HeldLock held = lock.acquire(command);
        open.add(held);
        return held;
    }

    private void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    /** The record a holder leaves when it is killed: taken, never released, no heartbeat. */
    private LockRecord crashedHolder(Repository repository, LockOwner owner) {
        LockRecord record = new LockRecord(LockRecord.FORMAT, 1, "crashed", "backup", owner.host(), owner.user(),
                owner.pid(), owner.process().orElse(null), now.get().toString());
        assertThat(lock(repository, owner).create(RepositoryLock.holderKey(1), record)).isTrue();
        return record;
    }

    private static List<String> lockKeys(Repository repository) throws Exception {
        return repository.store().list(RepositoryLock.PREFIX);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("a second backup is refused at once, naming the running one's host, pid and start")
    void secondAcquireRefused(Backend backend) throws Exception {
        Repository repository = repository(backend);
        LockOwner me = LockOwner.current();
        HeldLock first = hold(lock(repository, me), "backup");

        assertThatThrownBy(() -> lock(repository, OTHER_HOST).acquire("backup"))
                .isInstanceOfSatisfying(LockConflict.class, e -> assertThat(e.oneLine())
                        .startsWith("[WS-LOCKED] another backup is running: host " + me.host() + ", pid " + me.pid()
                                + ", since " + first.record().since() + " (last heartbeat 0s ago) in ")
                        .contains("HINT: wait for it to finish"));
        assertThatThrownBy(() -> lock(repository, OTHER_HOST).acquire("expire"))
                .isInstanceOf(LockConflict.class).hasMessageStartingWith("a backup is running: host " + me.host());
        first.ensureHeld();
        assertThat(first.generation()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("after release the next one takes the lock at once and clears the older generation's objects")
    void releaseLetsTheNextOneIn(Backend backend) throws Exception {
        Repository repository = repository(backend);
        HeldLock first = hold(lock(repository, LockOwner.current()), "backup");
        first.beat();
        first.close();
        assertThat(lockKeys(repository)).containsExactly(RepositoryLock.holderKey(1), RepositoryLock.releasedKey(1));
        assertThatThrownBy(first::ensureHeld).isInstanceOf(LockConflict.class).hasMessageContaining("released");

        HeldLock second = hold(lock(repository, OTHER_HOST), "expire");

        assertThat(second.generation()).isEqualTo(2);
        assertThat(lockKeys(repository)).containsExactly(RepositoryLock.holderKey(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("a holder on this host whose process has exited is taken over at once")
    void deadLocalHolderTakenOver(Backend backend) throws Exception {
        LocalProcess self = LocalProcess.current().orElse(null);
        assumeTrue(self != null, "needs /proc");
        Repository repository = repository(backend);
        LocalProcess gone = new LocalProcess(self.bootId(), self.pidNamespace(), self.pid(), self.startTicks() + 1);
        LockOwner me = LockOwner.current();
        crashedHolder(repository, new LockOwner(me.host(), me.user(), self.pid(), Optional.of(gone.token())));

        assertThat(lock(repository, me).active()).get().extracting(ActiveLock::state)
                .isEqualTo(ActiveLock.State.EXITED);
        HeldLock taken = hold(lock(repository, me), "backup");

        assertThat(taken.generation()).isEqualTo(2);
        assertThat(lockKeys(repository)).containsExactly(RepositoryLock.holderKey(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("a holder on another host is taken over only once its last heartbeat is older than lock-stale-after")
    void silentRemoteHolderTakenOverWhenStale(Backend backend) throws Exception {
        Repository repository = repository(backend);
        crashedHolder(repository, OTHER_HOST);
        RepositoryLock mine = lock(repository, LockOwner.current());

        advance(STALE.minusMinutes(1));
        assertThatThrownBy(() -> mine.acquire("backup")).isInstanceOf(LockConflict.class)
                .hasMessageStartingWith("another backup is running: host db2, pid 4242");

        advance(Duration.ofMinutes(2));
        assertThat(mine.active()).get().extracting(ActiveLock::state).isEqualTo(ActiveLock.State.STALE);
        assertThat(hold(mine, "backup").generation()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("a holder whose lock was taken over finds out at its next heartbeat, stops, and leaves the new "
            + "holder's lock alone")
    void oldHolderThatLostTheLockStops(Backend backend) throws Exception {
        Repository repository = repository(backend);
        // A holder whose own clock did not see the time pass (say, its host's clock was far behind).
        HeldLock old = hold(new RepositoryLock(repository, TIMING, clock, () -> 0L, OTHER_HOST), "backup");
        advance(STALE.plusMinutes(1));
        HeldLock taker = hold(lock(repository, LockOwner.current()), "expire");
        old.ensureHeld(); // nothing has told it yet

        assertThatThrownBy(old::beat).isInstanceOf(LockConflict.class)
                .hasMessageContaining("this backup lost the repository lock")
                .hasMessageContaining("taken over by expire on host " + LockOwner.current().host());
        assertThatThrownBy(old::ensureHeld).isInstanceOf(LockConflict.class)
                .hasMessageContaining("lost the repository lock");
        assertThatThrownBy(old::confirm).isInstanceOf(LockConflict.class);
        old.close();

        taker.confirm();
        assertThat(lockKeys(repository)).doesNotContain(RepositoryLock.releasedKey(1), RepositoryLock.releasedKey(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("a holder that cannot renew its lock stops once half of lock-stale-after has passed since its last "
            + "heartbeat")
    void leaseEndsWithoutHeartbeat(Backend backend) throws Exception {
        Repository repository = repository(backend);
        HeldLock held = hold(lock(repository, LockOwner.current()), "backup");
        advance(Duration.ofMinutes(4));
        held.beat();
        advance(Duration.ofMinutes(4));
        held.ensureHeld();

        advance(Duration.ofMinutes(2));

        assertThatThrownBy(held::ensureHeld).isInstanceOf(LockConflict.class)
                .hasMessageStartingWith("this backup could not renew the repository lock of ")
                .hasMessageContaining(" for 5min");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("of several processes taking the free lock at the same moment exactly one gets it")
    void racingAcquisitions(Backend backend) throws Exception {
        Repository repository = repository(backend);
        int racers = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < racers; i++) {
            LockOwner owner = new LockOwner("host" + i, "postgres", 100 + i, Optional.empty());
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    results.add(hold(lock(repository, owner), "backup"));
                } catch (LockConflict e) {
                    results.add(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60));
        }

        assertThat(results).hasSize(racers);
        assertThat(results).filteredOn(HeldLock.class::isInstance).hasSize(1);
        assertThat(results).filteredOn(LockConflict.class::isInstance).hasSize(racers - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("the heartbeat publishes the holder's progress; others see it and the holder keeps one beat")
    void heartbeatCarriesProgress(Backend backend) throws Exception {
        Repository repository = repository(backend);
        HeldLock held = hold(lock(repository, LockOwner.current()), "backup");
        RepositoryLock observer = lock(repository, OTHER_HOST);
        assertThat(observer.active()).get().extracting(ActiveLock::progress).isEqualTo(Optional.empty());

        held.reportProgress(() -> new LockProgress(3, 10, 300 << 20, 1000 << 20));
        held.beat();
        held.reportProgress(() -> new LockProgress(7, 10, 700 << 20, 1000 << 20));
        advance(Duration.ofSeconds(20));
        held.beat();

        ActiveLock seen = observer.active().orElseThrow();
        assertThat(seen.state()).isEqualTo(ActiveLock.State.RUNNING);
        assertThat(seen.progress()).contains(new LockProgress(7, 10, 700 << 20, 1000 << 20));
        assertThat(seen.progress().orElseThrow().text()).isEqualTo("7 of 10 files, 700 of 1,000 MiB");
        assertThat(seen.lastSign()).isEqualTo(now.get().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(lockKeys(repository)).containsExactly(RepositoryLock.beatKey(1, 2), RepositoryLock.holderKey(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("verify refuses while an expire holds the lock, and only notes a running backup")
    void readersAndTheLock(Backend backend) throws Exception {
        Repository repository = repository(backend);
        RepositoryLock reader = lock(repository, OTHER_HOST);
        assertThat(reader.beforeReading("verify").backup()).isEmpty();

        HeldLock expire = hold(lock(repository, LockOwner.current()), "expire");
        assertThatThrownBy(() -> reader.beforeReading("verify")).isInstanceOf(LockConflict.class)
                .hasMessageStartingWith("an expire is running: host " + LockOwner.current().host());
        expire.close();

        hold(lock(repository, LockOwner.current()), "backup");
        RepositoryLock.Reading reading = reader.beforeReading("verify");
        assertThat(reading.note()).get().asString().startsWith("a backup is running (host "
                + LockOwner.current().host() + ", pid " + LockOwner.current().pid() + ", since ");
        assertThat(reader.takenSince(reading, "verify")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    @DisplayName("the heartbeat thread renews the lock on its own, and closing leaves only the released generation")
    void heartbeatThread(Backend backend) throws Exception {
        Repository repository = repository(backend);
        RepositoryLock.Timing quick = new RepositoryLock.Timing(STALE, Duration.ofMillis(50));
        RepositoryLock real = new RepositoryLock(repository, quick, InstantSource.system(), System::nanoTime,
                LockOwner.current());
        HeldLock held = real.acquire("backup");
        held.reportProgress(() -> new LockProgress(1, 2, 3, 4));

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (real.active().flatMap(ActiveLock::progress).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(real.active().flatMap(ActiveLock::progress)).contains(new LockProgress(1, 2, 3, 4));
        held.close();

        assertThat(lockKeys(repository)).containsExactly(RepositoryLock.holderKey(1), RepositoryLock.releasedKey(1));
        assertThat(real.active()).isEmpty();
    }
}
