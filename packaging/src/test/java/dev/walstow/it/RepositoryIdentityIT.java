package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.agent.spool.Serving;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the daemon's spool ({@code pg_wal/.walstow}: prefetched segments, pushed/ markers) vouches for must belong to
 * the repository the caller's configuration names, never to one the daemon served earlier. Two repositories A and
 * B bound to the same cluster (C2 is a {@code cp -a} of C1, so the same system identifier) hold different WAL under
 * the same segment names; the daemon, PostgreSQL and direct calls all go through bin/walstow.
 *
 * <p>Configurations: {@code a.toml} (A), {@code b.toml} (B), and two files an operator edits in place:
 * {@code walstow.toml}, which C1's archive_command finds through {@code WALSTOW_CONFIG} (the README's
 * {@code walstow archive-push %p}), and {@code restore.toml}, C2's. 1 MiB segments; the steps build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepositoryIdentityIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How long a daemon whose configuration file was edited may take to notice (it may exit meanwhile). */
    private static final Duration NOTICE = Duration.ofSeconds(5);
    /** A small daemon wait-timeout: today a call to a hung daemon waits for it plus the agent's 10 s margin. */
    private static final String DAEMON_TOML = """
            [guard]
            enabled = false

            [daemon]
            wait-timeout = "20s"
            operation-timeout = "20s"
            """;

    private Path base;
    private Path repoA;
    private Path repoB;
    /** While this file exists, C1's archive_command fails (PostgreSQL keeps the segments .ready). */
    private Path hold;
    private WalstowDist a;
    private WalstowDist b;
    /** C1's configuration, found through WALSTOW_CONFIG; edited in place. */
    private WalstowDist live;
    private Path liveRepo;
    /** C2's restore configuration; edited in place. */
    private WalstowDist restore;
    private PgCluster c1;
    private PgCluster c2;
    /** The daemon on C1, if one runs. */
    private WalstowDaemon c1Daemon;
    /** Segment names C2 archived into B; C1 archived the same first five names, with other content, into A. */
    private List<String> seg;

    @BeforeAll
    void twoRepositoriesOneCluster() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        base = TestDirs.base("identity");
        TestDirs.createOwned(base.resolve("var"));
        TestDirs.createOwned(base.resolve("scratch"));
        repoA = base.resolve("var/repo-a");
        repoB = base.resolve("var/repo-b");
        hold = base.resolve("hold-archiving");
        Map<String, String> c1Env = new HashMap<>(WalstowDist.ENV);
        c1Env.put("WALSTOW_CONFIG", base.resolve("walstow.toml").toString());
        c1 = PgCluster.initdb(base.resolve("c1"), c1Env, "--wal-segsize=1");
        a = WalstowDist.withKeys(new WalstowDist(base.resolve("a.toml")), repoA, c1, DAEMON_TOML);
        b = a.copyFor(base.resolve("b.toml"), repoB);
        live = a.copyFor(base.resolve("walstow.toml"), repoA);
        liveRepo = repoA;
        restore = a.copyFor(base.resolve("restore.toml"), repoB);
        a.run(null, "init").ok();
        b.run(null, "init").ok();
        c1.configure("wal_level = replica", "archive_mode = on", "max_wal_size = 256MB",
                "archive_command = '" + heldBack(live.launcher + " archive-push %p") + "'");
        Proc.run(null, Map.of(), 60, List.of("cp", "-a", c1.data.toString(), base.resolve("c2").toString())).ok();
        c2 = PgCluster.at(base.resolve("c2"), WalstowDist.ENV);
        c2.configure("archive_command = '" + b.archiveCommand() + "'");

        c1.start();
        c1.sql("CREATE TABLE written (cluster text, payload text)");
        List<String> inA = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inA.add(switchSegment(c1, "c1"));
        }
        c1.awaitSql(archivedAtLeast(inA.getLast()), "t", WAIT);
        c2.start();
        c2.sql("CREATE TABLE written (cluster text, payload text)");
        seg = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seg.add(switchSegment(c2, "c2"));
        }
        c2.awaitSql(archivedAtLeast(seg.getLast()), "t", WAIT);
        c2.stop();

        assertThat(seg.subList(0, 5)).as("A and B hold the same segment names").isEqualTo(inA);
        for (int i = 0; i < 5; i++) {
            assertThat(archivedSha(repoA, seg.get(i))).as("%s differs between A and B", seg.get(i))
                    .isNotEqualTo(archivedSha(repoB, seg.get(i)));
        }
        assertThat(inRepo(repoA, seg.get(5))).as("A lacks %s", seg.get(5)).isFalse();
        assertThat(inRepo(repoA, seg.get(6))).as("A lacks %s", seg.get(6)).isFalse();
    }

    @AfterAll
    void cleanUp() {
        if (c1Daemon != null) {
            c1Daemon.stop();
        }
        if (c1 != null) {
            c1.stop();
        }
        if (c2 != null) {
            c2.stop();
        }
        TestDirs.deleteTree(base);
    }

    // ---------- recovery side: C2 stopped, its pg_wal/.walstow prefetched from B ----------

    @Test
    @Order(1)
    @DisplayName("after the daemon serving repository B stops (SIGTERM), archive-get with A's configuration returns A's segment, never B's prefetched copy")
    void prefetchNotUsedAfterDaemonStops() {
        WalstowDaemon daemon = WalstowDaemon.start(b, c2.data);
        try {
            prefetchFromB(b, seg.get(1));
        } finally {
            daemon.stop();
        }
        SoftAssertions.assertSoftly(soft -> assertRestoredFromA(soft, getOnC2(a, seg.get(1)), seg.get(1)));
    }

    @Test
    @Order(2)
    @DisplayName("after kill -9 of the daemon serving B, archive-get with A's configuration returns A's segment, and a segment A lacks exits 1")
    void prefetchNotUsedAfterDaemonKilled() throws InterruptedException {
        WalstowDaemon daemon = WalstowDaemon.start(b, c2.data);
        try {
            prefetchFromB(b, seg.get(2), seg.get(5));
        } finally {
            daemon.kill9();
        }
        SoftAssertions.assertSoftly(soft -> {
            assertRestoredFromA(soft, getOnC2(a, seg.get(2)), seg.get(2));
            assertMissing(soft, getOnC2(a, seg.get(5)), seg.get(5));
        });
    }

    @Test
    @Order(3)
    @DisplayName("when the configuration file a running daemon uses is edited to name repository A, archive-get with that file returns A's segment, and a segment A lacks exits 1")
    void prefetchNotUsedAfterConfigurationEdited() throws InterruptedException {
        restore.pointAt(repoB);
        WalstowDaemon daemon = WalstowDaemon.start(restore, c2.data);
        Integer exited;
        try {
            prefetchFromB(restore, seg.get(3), seg.get(6));
            restore.pointAt(repoA);
            // The daemon may notice and exit (systemd restarts it); either way it must not answer for B any more.
            exited = daemon.awaitExit(NOTICE);
            SoftAssertions.assertSoftly(soft -> {
                assertRestoredFromA(soft, getOnC2(restore, seg.get(3)), seg.get(3));
                assertMissing(soft, getOnC2(restore, seg.get(6)), seg.get(6));
            });
        } finally {
            daemon.stop();
        }
        System.out.println("[RepositoryIdentityIT] daemon after its configuration was edited: "
                + (exited == null ? "still running after " + NOTICE : "exited with " + exited));
    }

    @Test
    @Order(4)
    @DisplayName("walstow daemon run as root on a postgres-owned data directory is refused at once, with one [WS-USAGE] line naming runuser/sudo -u postgres, and creates no root-owned file")
    void daemonAsRootRefused() throws IOException {
        Path spool = c2.data.resolve("pg_wal/.walstow");
        Set<Path> rootOwnedBefore = rootOwned(repoB, spool);
        Proc ran = null;
        long start = System.nanoTime();
        try {
            ran = Proc.run(c2.data, WalstowDist.ENV, 30, List.of(b.launcher.toString(), "--config",
                    b.config.toString(), "daemon", "--pgdata", c2.data.toString()));
        } catch (AssertionError stillRunning) {
            // Proc killed it after 30 s: it served as root meanwhile.
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        Set<Path> rootOwnedAfter = rootOwned(repoB, spool);
        rootOwnedAfter.removeAll(rootOwnedBefore);
        TestDirs.chownPostgres(c2.data);
        TestDirs.chownPostgres(repoB);

        Proc p = ran;
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(rootOwnedAfter).as("root-owned files left in the repository or the spool").isEmpty();
            soft.assertThat(p).as("refused at once, not still running after 30 s").isNotNull();
            if (p != null) {
                soft.assertThat(p.exit()).as(p.toString()).isNotZero();
                List<String> usage = (p.out() + "\n" + p.err()).lines().filter(l -> l.contains("[WS-USAGE]"))
                        .toList();
                soft.assertThat(usage).as(p.toString()).hasSize(1);
                soft.assertThat(usage).as("names the fix").anyMatch(l -> l.contains("runuser -u postgres")
                        || l.contains("sudo -u postgres"));
                soft.assertThat(seconds).isLessThan(20);
            }
        });
    }

    // ---------- archiving side: C1 running ----------

    @Test
    @Order(5)
    @DisplayName("segments the daemon pushed ahead into A are archived into B once walstow.toml is edited to name B: everything PostgreSQL marks .done is in B")
    void pushedMarkersNotTrustedAfterConfigurationEdited() {
        runDaemonOnC1(live);
        // Past every name C2 archived into B, so that C1's WAL can go to B without clashing with C2's. B's newest
        // name, not seg.getLast(): C2's shutdown switched once more (PostgreSQL rotates the last segment at shutdown
        // when archiving is on), and that segment reached B too.
        String newestInB = newestSegmentIn(repoB);
        String switched = "";
        for (int i = 0; i < 16 && switched.compareTo(newestInB) <= 0; i++) {
            switched = switchAndAwaitArchived();
        }
        assertThat(switched).isGreaterThan(newestInB);
        List<String> pushedAhead = holdAndPushAhead(3);
        c1Daemon.stop();
        live.pointAt(repoB);
        liveRepo = repoB;
        Set<String> doneBefore = doneSegments();
        runDaemonOnC1(live);
        release();
        assertArchivedInto(repoB, pushedAhead, doneBefore);
    }

    @Test
    @Order(6)
    @DisplayName("segments the daemon pushed ahead into A with --config a.toml are archived into B once daemon and archive_command use --config b.toml")
    void pushedMarkersNotTrustedUnderAnotherConfigFile() {
        useArchiveCommand(a.launcher + " --config " + a.config + " archive-push %p");
        runDaemonOnC1(a);
        List<String> pushedAhead = holdAndPushAhead(3);
        c1Daemon.stop();
        Set<String> doneBefore = doneSegments();
        runDaemonOnC1(b);
        useArchiveCommand(b.launcher + " --config " + b.config + " archive-push %p");
        release();
        assertArchivedInto(repoB, pushedAhead, doneBefore);
    }

    @Test
    @Order(7)
    @DisplayName("archive-push of a copy (cp -p) of an already pushed segment from outside pg_wal is refused with [WS-USAGE] (2), not answered from the pushed/ marker")
    void pushedMarkerNotTrustedForAPathOutsidePgWal() {
        useArchiveCommand(live.launcher + " archive-push %p");
        runDaemonOnC1(live);
        try {
            String name = holdAndPushAhead(1).getFirst();
            Path elsewhere = base.resolve("elsewhere");
            TestDirs.createOwned(elsewhere);
            Proc.asPostgres(c1.data, Map.of(), 30, "cp", "-p", "pg_wal/" + name, elsewhere.toString()).ok();
            Proc p = live.run(c1.data, "archive-push", elsewhere.resolve(name).toString());
            assertThat(p.exit()).as(p.toString()).isEqualTo(2);
            assertThat(p.err()).contains("[WS-USAGE]");
        } finally {
            release();
        }
    }

    @Test
    @Order(8)
    @DisplayName("with the daemon hung (SIGSTOP), archive-push of a new segment falls back in-process and succeeds within 15 s")
    void hungDaemonFallsBackInProcess() {
        if (c1Daemon == null || !c1Daemon.alive()) {
            runDaemonOnC1(live);
        }
        hold();
        String name;
        Proc p;
        long millis;
        c1Daemon.signal("STOP");
        try {
            name = switchSegment(c1, "c1");
            long start = System.nanoTime();
            p = live.run(c1.data, "archive-push", "pg_wal/" + name);
            millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        } finally {
            c1Daemon.signal("CONT");
            c1Daemon.stop();
            release();
        }
        System.out.println("[RepositoryIdentityIT] archive-push with the daemon hung: " + millis + " ms");
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(inRepo(liveRepo, name)).as("%s archived into %s", name, liveRepo).isTrue();
        assertThat(millis).as("elapsed ms; " + p).isLessThan(15_000);
    }

    @Test
    @Order(9)
    @DisplayName("docs/runbook.md 'Moving a repository', replayed literally with the daemon running: new segments land in the new path, none in the old one")
    void runbookMovingARepository() throws InterruptedException {
        useArchiveCommand(live.launcher + " archive-push %p");
        runDaemonOnC1(live);
        Path old = liveRepo;
        Path moved = base.resolve("var/repo-moved");
        String archivedBefore = switchAndAwaitArchived();
        // "Stop archiving (or let archive_command fail for a moment)"
        hold();
        List<String> whileStopped = List.of(switchSegment(c1, "c1"), switchSegment(c1, "c1"));
        awaitMarkers(whileStopped);
        // "copy with links preserved — rsync -a or cp -a"
        Proc.run(null, Map.of(), 120, List.of("cp", "-a", old.toString(), moved.toString())).ok();
        // "change [repository] path"
        live.pointAt(moved);
        liveRepo = moved;
        Integer exited = c1Daemon.awaitExit(NOTICE);
        // "run any archive-get to check"
        Path check = base.resolve("scratch/" + archivedBefore);
        Proc got = live.run(base.resolve("scratch"), "archive-get", "--allow-outside-pg-wal", archivedBefore,
                check.toString());
        assertThat(got.exit()).as(got.toString()).isZero();
        // "and re-enable"
        release();
        List<String> after = new ArrayList<>(whileStopped);
        for (int i = 0; i < 3; i++) {
            after.add(switchSegment(c1, "c1"));
        }
        c1.awaitSql(archivedAtLeast(after.getLast()), "t", WAIT);
        c1Daemon.stop();
        System.out.println("[RepositoryIdentityIT] runbook: daemon after the path change: "
                + (exited == null ? "still running after " + NOTICE : "exited with " + exited));

        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(after.stream().filter(n -> !inRepo(moved, n)).toList())
                    .as("archived since the move, missing in " + moved).isEmpty();
            soft.assertThat(after.subList(2, after.size()).stream().filter(n -> inRepo(old, n)).toList())
                    .as("written after the path changed, yet archived into the old path " + old).isEmpty();
        });
    }

    // ---------- helpers ----------

    /** The state directory (repo-ID/) of the repository the daemon running on {@code data} publishes in serving. */
    private static Path stateOf(Path data) {
        Path spool = data.resolve("pg_wal/.walstow");
        await("a daemon publishes " + spool.resolve(Serving.FILE), WAIT, () -> Serving.read(spool).isPresent());
        return spool.resolve(Serving.stateDirectory(Serving.read(spool).orElseThrow().serving().repositoryId()));
    }

    /** Asks the daemon (through the launcher, with {@code config}) for seg 0, then waits for {@code names} to be prefetched. */
    private void prefetchFromB(WalstowDist config, String... names) {
        Proc first = getOnC2(config, seg.getFirst());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(sha256(c2.data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(archivedSha(repoB, seg.getFirst()));
        deleteRecoveryFile();
        Path prefetch = stateOf(c2.data).resolve("prefetch").resolve(bootId());
        for (String name : names) {
            await("the daemon prefetched " + name + " into " + prefetch, WAIT,
                    () -> Files.isRegularFile(prefetch.resolve(name)));
        }
    }

    /** {@code bin/walstow --config X archive-get NAME pg_wal/RECOVERYXLOG} in C2's data directory, as PostgreSQL would. */
    private Proc getOnC2(WalstowDist config, String name) {
        deleteRecoveryFile();
        return config.run(c2.data, "archive-get", name, "pg_wal/RECOVERYXLOG");
    }

    private void assertRestoredFromA(SoftAssertions soft, Proc p, String name) {
        soft.assertThat(p.exit()).as(p.toString()).isZero();
        Path restored = c2.data.resolve("pg_wal/RECOVERYXLOG");
        String got = Files.exists(restored) ? sha256(restored) : "(nothing at %p)";
        soft.assertThat(got).as("%s restored with A's configuration has %s bytes", name,
                got.equals(archivedSha(repoB, name)) ? "B's" : "other").isEqualTo(archivedSha(repoA, name));
        deleteRecoveryFile();
    }

    /** A segment A positively lacks: exit 1 (recovery ends there), nothing at %p. */
    private void assertMissing(SoftAssertions soft, Proc p, String name) {
        soft.assertThat(p.exit()).as("A has no %s: %s", name, p).isEqualTo(1);
        Path restored = c2.data.resolve("pg_wal/RECOVERYXLOG");
        soft.assertThat(restored).as("%s restored although A has no such segment", name).doesNotExist();
        deleteRecoveryFile();
    }

    private void deleteRecoveryFile() {
        try {
            Files.deleteIfExists(c2.data.resolve("pg_wal/RECOVERYXLOG"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void runDaemonOnC1(WalstowDist config) {
        if (c1Daemon != null) {
            c1Daemon.stop();
        }
        c1Daemon = WalstowDaemon.start(config, c1.data);
    }

    /** archive_command fails while {@link #hold} exists; {@code command} is the walstow call. */
    private String heldBack(String command) {
        return "test ! -e " + hold + " && " + command;
    }

    private void useArchiveCommand(String command) {
        c1.configure("archive_command = '" + heldBack(command) + "'");
        c1.sql("SELECT pg_reload_conf()");
    }

    private void hold() {
        WalstowDist.write(hold, "");
    }

    /** Lets archive_command succeed again and wakes PostgreSQL's archiver. */
    private void release() {
        try {
            Files.deleteIfExists(hold);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        c1.sql("SELECT pg_reload_conf()");
    }

    /** Holds PostgreSQL's archiving back and switches {@code n} segments, which C1's daemon pushes ahead. */
    private List<String> holdAndPushAhead(int n) {
        hold();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(switchSegment(c1, "c1"));
        }
        awaitMarkers(names);
        return names;
    }

    private void awaitMarkers(List<String> names) {
        Path pushed = stateOf(c1.data).resolve("pushed");
        for (String name : names) {
            await("the daemon pushed " + name + " ahead of PostgreSQL", WAIT,
                    () -> Files.isRegularFile(pushed.resolve(name)));
            assertThat(c1.data.resolve("pg_wal/archive_status/" + name + ".ready")).as("held back").exists();
        }
    }

    /** After the switch: every held segment and every segment PostgreSQL marked .done since is in {@code repo}. */
    private void assertArchivedInto(Path repo, List<String> pushedAhead, Set<String> doneBefore) {
        String last = switchAndAwaitArchived();
        Set<String> expected = new TreeSet<>(doneSegments());
        expected.removeAll(doneBefore);
        assertThat(expected).containsAll(pushedAhead).contains(last);
        assertThat(expected.stream().filter(n -> !inRepo(repo, n)).toList())
                .as("marked .done by PostgreSQL after the switch, missing in " + repo).isEmpty();
    }

    /** PgCluster.switchAndAwaitArchived, but with WAL written first (a switch without WAL since the last is a no-op). */
    private String switchAndAwaitArchived() {
        String name = switchSegment(c1, "c1");
        c1.awaitSql(archivedAtLeast(name), "t", WAIT);
        return name;
    }

    private Set<String> doneSegments() {
        try (Stream<Path> files = Files.list(c1.data.resolve("pg_wal/archive_status"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}\\.done"))
                    .map(n -> n.substring(0, 24)).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a little WAL that says which cluster wrote it and switches; @return the segment switched out. */
    private static String switchSegment(PgCluster cluster, String who) {
        cluster.sql("INSERT INTO written SELECT '" + who + "', md5(random()::text) FROM generate_series(1, 500)");
        return cluster.sql("SELECT pg_walfile_name(pg_switch_wal())");
    }

    private static String archivedAtLeast(String segment) {
        return "SELECT coalesce(last_archived_wal >= '" + segment + "', false) FROM pg_stat_archiver";
    }

    private static Path link(Path repo, String name) {
        return repo.resolve("wal/" + name.substring(0, 16) + "/" + name);
    }

    /** The greatest segment name archived in a posix repository (links named like 000000010000000000000003). */
    private static String newestSegmentIn(Path repo) {
        try (Stream<Path> files = Files.walk(repo.resolve("wal"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}"))
                    .max(String::compareTo).orElse("");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean inRepo(Path repo, String name) {
        return Files.isSymbolicLink(link(repo, name));
    }

    /** The SHA-256 of the original bytes, from the link target (.NAME.SHA256.SIZE.CODEC, docs/architecture.md). */
    private static String archivedSha(Path repo, String name) {
        try {
            String[] parts = Files.readSymbolicLink(link(repo, name)).getFileName().toString().split("\\.");
            assertThat(parts[1]).isEqualTo(name);
            return parts[2];
        } catch (IOException e) {
            throw new AssertionError(name + " is not archived in " + repo + ": " + e, e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<Path> rootOwned(Path... dirs) throws IOException {
        Set<Path> found = new TreeSet<>();
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName().equals("root")) {
                        found.add(p);
                    }
                }
            }
        }
        return found;
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit + " for: " + what);
            }
            PgCluster.sleep(50);
        }
    }
}
