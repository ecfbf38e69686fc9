package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.agent.spool.Serving;
import dev.walstow.agent.spool.SpoolContract;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * bin/walstow's fast paths against a fake data directory (no PostgreSQL, no daemon). "Answered without Java" is
 * proven by a copy of the launcher alone: whatever it hands over fails, as there is no bin/walstow-jvm beside it.
 *
 * <p>This JVM plays the daemon as bin/walstow sees one (agent/.../spool/Serving.java): it holds the fcntl lock on
 * daemon.lock, publishes {@code serving} with its own pid, the test repository's id and the fingerprint of the
 * configuration file the calls use (computed in Java, compared in C: a fast path that works proves both agree),
 * and renews the heartbeat while the test runs.
 */
class LauncherFastPathIT {
    private static final String SEG = "000000010000000000000003";
    private static final String REPOSITORY_ID = "0123456789abcdef";

    Path base;
    Path data;
    Path spool;
    /** repo-ID/: the state of the repository the fake daemon serves. */
    Path state;
    /** The daemon's prefetch directory for the running boot. */
    Path prefetch;
    Path launcherOnly;
    /** The configuration file the calls use ($WALSTOW_CONFIG) and the fake daemon serves. */
    Path config;
    private FileChannel lockChannel;
    private ScheduledExecutorService heartbeat;

    @BeforeEach
    void fakeDataDirectory() throws IOException {
        base = TestDirs.base("fastpath");
        data = base.resolve("data");
        spool = Files.createDirectories(data.resolve("pg_wal/.walstow"));
        state = Files.createDirectories(spool.resolve(Serving.stateDirectory(REPOSITORY_ID)));
        Files.createDirectories(state.resolve("pushed"));
        prefetch = Files.createDirectories(state.resolve("prefetch").resolve(
                Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip()));
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Files.writeString(spool.resolve("agent.properties"), "fallback=fail\n");
        config = Files.writeString(base.resolve("walstow.toml"), "# the configuration the fake daemon serves\n");
        Path bin = Files.createDirectories(base.resolve("launcher-only/bin"));
        Files.createDirectories(base.resolve("launcher-only/lib"));
        launcherOnly = bin.resolve("walstow");
        Files.copy(Path.of(System.getProperty("walstow.dist"), "bin/walstow"), launcherOnly);
        Files.setPosixFilePermissions(launcherOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        lockChannel = FileChannel.open(spool.resolve(Serving.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        assertThat(lockChannel.tryLock()).isNotNull();
        serve(ProcessHandle.current().pid(), REPOSITORY_ID);
        heartbeat = Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleAtFixedRate(this::beat, 500, 500, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void cleanUp() throws IOException {
        heartbeat.shutdownNow();
        lockChannel.close();
        TestDirs.deleteTree(base);
    }

    /** Publishes {@code serving} as a daemon with this pid and repository would, for {@link #config}. */
    private void serve(long pid, String repositoryId) throws IOException {
        Files.writeString(spool.resolve(Serving.FILE), new Serving(pid, repositoryId,
                ConfigFile.fingerprint(config).orElseThrow(), config.toString()).format());
    }

    private void beat() {
        try {
            Files.setLastModifiedTime(spool.resolve(Serving.FILE), FileTime.from(Instant.now()));
        } catch (IOException e) {
            // a test that removed it on purpose
        }
    }

    private Proc run(Path launcher, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(launcher == launcherOnly
                ? Map.of("JAVA_HOME", "/nonexistent-jdk", "WALSTOW_JAVA_HOME", "/nonexistent-jdk") : WalstowDist.ENV);
        env.put("WALSTOW_CONFIG", config.toString());
        return Proc.run(data, env, 60, cmd);
    }

    private Path segment(FileTime mtime) throws IOException {
        Path seg = Files.write(data.resolve("pg_wal/" + SEG), new byte[8192]);
        Files.setLastModifiedTime(seg, mtime);
        return seg;
    }

    private void pushedStatus(FileTime mtime) throws IOException {
        Path status = Files.createFile(state.resolve("pushed/" + SEG));
        Files.setLastModifiedTime(status, mtime);
    }

    @Test
    @DisplayName("archive-push of a segment whose status file has the same mtime (to the nanosecond) exits 0 without Java")
    void pushedAnsweredByLauncher() throws IOException {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 123_456_789));
        segment(t);
        pushedStatus(t);
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).isZero();
        assertThat(run(launcherOnly, "--config", config.toString(), "archive-push", "pg_wal/" + SEG).exit())
                .isZero();
        assertThat(run(launcherOnly, "--config=" + config, "archive-push", "pg_wal/" + SEG).exit()).isZero();
    }

    @Test
    @DisplayName("a call whose configuration file is not the very one the daemon serves is not answered from its state")
    void otherConfigurationNotAnswered() throws IOException {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 123_456_789));
        segment(t);
        pushedStatus(t);
        Path other = Files.writeString(base.resolve("other.toml"), "# the configuration the fake daemon serves\n");
        assertThat(run(launcherOnly, "--config", other.toString(), "archive-push", "pg_wal/" + SEG).exit())
                .as("another file with the same text").isEqualTo(3);
        // The served file edited (a new repository path, say): size, mtime and ctime change.
        Files.writeString(config, "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("after an edit").isEqualTo(3);
        // The daemon republishes for the new file (as it does after a touch): answered again.
        serve(ProcessHandle.current().pid(), REPOSITORY_ID);
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).isZero();
    }

    @Test
    @DisplayName("state of another repository (repo-OTHER/pushed) is never read, even with a matching marker there")
    void otherRepositoryNotAnswered() throws IOException {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 42));
        segment(t);
        pushedStatus(t);
        serve(ProcessHandle.current().pid(), "fedcba9876543210");
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).isEqualTo(3);
        Files.write(prefetch.resolve(SEG), new byte[8192]);
        assertThat(run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG").exit()).isEqualTo(203);
        assertThat(data.resolve("pg_wal/RECOVERYXLOG")).doesNotExist();
    }

    @Test
    @DisplayName("no fast answer without a live daemon: no serving file, a stale heartbeat, or a pid that holds no lock")
    void onlyWhileTheDaemonLives() throws Exception {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 9));
        segment(t);
        pushedStatus(t);
        Files.write(prefetch.resolve(SEG), new byte[8192]);
        heartbeat.shutdownNow();
        heartbeat.awaitTermination(5, TimeUnit.SECONDS);

        Files.setLastModifiedTime(spool.resolve(Serving.FILE), FileTime.from(Instant.now().minusSeconds(6)));
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("heartbeat 6 s old").isEqualTo(3);
        Files.setLastModifiedTime(spool.resolve(Serving.FILE), FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("heartbeat from the future")
                .isEqualTo(3);

        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            serve(other.pid(), REPOSITORY_ID);
            assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("a live pid without the lock")
                    .isEqualTo(3);
        } finally {
            other.destroy();
        }
        serve(ProcessHandle.current().pid(), REPOSITORY_ID);
        lockChannel.close();
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("lock released (daemon killed)")
                .isEqualTo(3);
        assertThat(run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG").exit()).isEqualTo(203);
        assertThat(data.resolve("pg_wal/RECOVERYXLOG")).as("prefetched by a daemon that is gone").doesNotExist();

        Files.delete(spool.resolve(Serving.FILE));
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("no serving file").isEqualTo(3);
    }

    @Test
    @DisplayName("archive-push answers only %p = pg_wal/NAME with NAME a WAL file name, as the in-process path demands")
    void pushChecksPath() throws IOException {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 77));
        segment(t);
        pushedStatus(t);
        // A copy elsewhere with the same name and mtime (cp -p), called by hand from the data directory.
        Path elsewhere = Files.createDirectories(base.resolve("elsewhere")).resolve(SEG);
        Files.copy(data.resolve("pg_wal/" + SEG), elsewhere, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        assertThat(run(launcherOnly, "archive-push", elsewhere.toString()).exit()).isEqualTo(3);
        assertThat(run(launcherOnly, "archive-push", "../data/pg_wal/" + SEG).exit()).isEqualTo(3);
        assertThat(run(launcherOnly, "archive-push", data.resolve("pg_wal/" + SEG).toString()).exit()).isEqualTo(3);
        Files.copy(data.resolve("pg_wal/" + SEG), data.resolve("pg_wal/notwal"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(state.resolve("pushed/" + SEG), state.resolve("pushed/notwal"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        assertThat(run(launcherOnly, "archive-push", "pg_wal/notwal").exit()).isEqualTo(3);
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).as("the real thing").isZero();
    }

    @Test
    @DisplayName("a status file whose mtime differs by 1 µs is not trusted: the launcher starts the agent, which fails (7)")
    void differentMtimeGoesToTheAgent() throws IOException {
        Instant t = Instant.ofEpochSecond(1_750_000_000L, 123_456_000);
        segment(FileTime.from(t.plusNanos(1_000)));
        pushedStatus(FileTime.from(t));
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).isNotZero();
        Proc real = run(Path.of(System.getProperty("walstow.dist"), "bin/walstow"), "archive-push", "pg_wal/" + SEG);
        assertThat(real.exit()).isEqualTo(7);
        assertThat(real.err()).contains("[WS-STORAGE] no walstow daemon answered on pg_wal/.walstow/daemon.sock");
    }

    @Test
    @DisplayName("bin/walstow-jvm fails its hand-over with the contract's statuses, as the compiled launcher does")
    void handOverStatusesAgree() throws IOException {
        String jvm = Files.readString(Path.of(System.getProperty("walstow.dist"), "bin/walstow-jvm"));
        assertThat(jvm).contains("then exit " + SpoolContract.HANDOVER_FAILED_GET + "; fi")
                .contains("    exit " + SpoolContract.HANDOVER_FAILED + "\n");
        // The compiled launcher, with no bin/walstow-jvm beside it: the same two statuses.
        assertThat(run(launcherOnly, "archive-get", "not-a-wal-name", "pg_wal/RECOVERYXLOG").exit())
                .isEqualTo(SpoolContract.HANDOVER_FAILED_GET);
        assertThat(run(launcherOnly, "init").exit()).isEqualTo(SpoolContract.HANDOVER_FAILED);
    }

    @Test
    @DisplayName("outside a data directory (no PG_VERSION) even a matching status file is not used")
    void onlyInADataDirectory() throws IOException {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 5));
        segment(t);
        pushedStatus(t);
        Files.delete(data.resolve("PG_VERSION"));
        assertThat(run(launcherOnly, "archive-push", "pg_wal/" + SEG).exit()).isNotZero();
    }

    @Test
    @DisplayName("archive-get renames a prefetched segment to %p and exits 0 without Java")
    void prefetchedSegment() throws IOException {
        byte[] content = "prefetched and verified by the daemon".getBytes();
        Files.write(prefetch.resolve(SEG), content);
        assertThat(run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG").exit()).isZero();
        assertThat(data.resolve("pg_wal/RECOVERYXLOG")).hasBinaryContent(content);
        assertThat(prefetch.resolve(SEG)).doesNotExist();
    }

    @Test
    @DisplayName("a segment prefetched before the last boot is never handed over (it was not fsync'd)")
    void prefetchedBeforeRebootNotUsed() throws IOException {
        Path earlierBoot = Files.createDirectories(state.resolve("prefetch/00000000-0000-4000-8000-000000000000"));
        Files.write(earlierBoot.resolve(SEG), new byte[8192]);
        Files.write(state.resolve("prefetch/" + SEG), new byte[8192]);
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        assertThat(p.exit()).isNotIn(0, 1);
        assertThat(data.resolve("pg_wal/RECOVERYXLOG")).doesNotExist();
    }

    @Test
    @DisplayName("a prefetched timeline history file is never used: history files are fetched fresh")
    void historyNotFromPrefetch() throws IOException {
        Files.writeString(prefetch.resolve("00000002.history"), "stale");
        Proc p = run(launcherOnly, "archive-get", "00000002.history", "pg_wal/RECOVERYHISTORY");
        assertThat(p.exit()).isNotIn(0, 1);
        assertThat(data.resolve("pg_wal/RECOVERYHISTORY")).doesNotExist();
        assertThat(prefetch.resolve("00000002.history")).exists();
    }

    /** What a live daemon publishes besides {@code serving}: the FIFO the launcher naps on (and waits only with). */
    private void liveDaemon() throws IOException {
        Proc.run(null, Map.of(), 30, List.of("mkfifo", spool.resolve("nap.fifo").toString())).ok();
    }

    @Test
    @DisplayName("archive-push waits in the launcher while the daemon uploads that segment, and answers once it is durable")
    void pushWaitsForDaemon() throws Exception {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 5));
        segment(t);
        liveDaemon();
        Path marker = Files.createFile(Files.createDirectories(state.resolve("pushing")).resolve(SEG));
        Thread daemon = after(700, () -> {
            pushedStatus(t);
            Files.delete(marker);
        });
        long start = System.nanoTime();
        Proc p = run(launcherOnly, "archive-push", "pg_wal/" + SEG);
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(System.nanoTime() - start).as("it waited for the upload").isGreaterThan(600_000_000L);
    }

    @Test
    @DisplayName("a leftover marker of a dead daemon does not make the launcher wait or answer")
    void deadDaemonMarkerIgnored() throws Exception {
        segment(FileTime.from(Instant.ofEpochSecond(1_750_000_000L)));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        liveDaemon();
        serve(gone.pid(), REPOSITORY_ID);
        Files.createFile(Files.createDirectories(state.resolve("pushing")).resolve(SEG));
        long start = System.nanoTime();
        Proc p = run(launcherOnly, "archive-push", "pg_wal/" + SEG);
        assertThat(p.exit()).as("falls through to the (absent) JVM: " + p).isEqualTo(3);
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    }

    @Test
    @DisplayName("archive-get waits in the launcher while the daemon fetches that segment, then takes it from the spool")
    void getWaitsForPrefetch() throws Exception {
        liveDaemon();
        Path marker = Files.createFile(Files.createDirectories(state.resolve("fetching")).resolve(SEG));
        byte[] content = "fetched and verified".getBytes();
        Thread daemon = after(500, () -> {
            Files.write(prefetch.resolve(SEG), content);
            Files.delete(marker);
        });
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(content);
    }

    /** What the fake daemon does on its thread; may fail with an IOException. */
    private interface DaemonStep {
        void run() throws IOException;
    }

    /** A daemon thread that does {@code step} after {@code delayMs}. */
    private static Thread after(long delayMs, DaemonStep step) {
        return Thread.ofPlatform().start(() -> {
            PgCluster.sleep(delayMs);
            try {
                step.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** What the fake daemon does with the ask it found (asked/NAME.ID). */
    private interface AskResponse {
        void answer(Path ask, Path answers) throws IOException;
    }

    /** A daemon thread that waits (up to 20 s) for the first ask for {@code name}, responds, and removes the ask. */
    private Thread onAsk(String name, AskResponse response) throws IOException {
        Path asked = Files.createDirectories(state.resolve("asked"));
        Path answers = Files.createDirectories(state.resolve("answers"));
        return Thread.ofPlatform().start(() -> {
            long deadline = System.nanoTime() + 20_000_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    try (var files = Files.list(asked)) {
                        var ask = files.filter(f -> f.getFileName().toString().startsWith(name + ".")).findFirst();
                        if (ask.isPresent()) {
                            String request = ask.get().getFileName().toString();
                            assertThat(request.substring(name.length() + 1)).matches("[0-9]+-[0-9]+");
                            response.answer(ask.get(), answers);
                            Files.delete(ask.get());
                            return;
                        }
                    }
                    PgCluster.sleep(2);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A daemon thread answering the first ask for {@code name} with {@code answer} (a suffix, or "" for content). */
    private Thread answering(String name, String suffix, byte[] content) throws IOException {
        return onAsk(name, (ask, answers) -> {
            String request = ask.getFileName().toString();
            if (suffix.isEmpty()) {
                Files.write(answers.resolve(".tmp"), content);
                Files.move(answers.resolve(".tmp"), answers.resolve(request));
            } else {
                Files.createFile(answers.resolve(request + suffix));
            }
        });
    }

    @Test
    @DisplayName("archive-get of a segment not prefetched asks the running daemon through a file and takes its answer, without Java")
    void getAsksDaemon() throws Exception {
        liveDaemon();
        byte[] content = "verified by the daemon".getBytes();
        Thread daemon = answering(SEG, "", content);
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(content);
        assertThat(state.resolve("answers")).isEmptyDirectory();
    }

    @Test
    @DisplayName("a history file the daemon answers as missing exits 1 without Java, and a stale prefetched copy is not used")
    void historyMissingExitsOne() throws Exception {
        liveDaemon();
        Files.writeString(prefetch.resolve("00000002.history"), "stale");
        Thread daemon = answering("00000002.history", ".missing", null);
        Proc p = run(launcherOnly, "archive-get", "00000002.history", "pg_wal/RECOVERYHISTORY");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isEqualTo(1);
        assertThat(p.err()).contains("00000002.history is not in the archive");
        assertThat(data.resolve("pg_wal/RECOVERYHISTORY")).doesNotExist();
        assertThat(state.resolve("answers")).as("the answer is this call's alone").isEmptyDirectory();
    }

    @Test
    @DisplayName("an .error answer is never decided in the launcher: the launcher starts the agent (absent here: 203 and its reason on stderr)")
    void errorGoesToAgent() throws Exception {
        liveDaemon();
        Thread daemon = answering(SEG, ".error", null);
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isEqualTo(203);
        assertThat(data.resolve("pg_wal/RECOVERYXLOG")).doesNotExist();
        assertThat(state.resolve("answers")).isEmptyDirectory();
        // What the launcher says after a wait in the launcher still reaches the PostgreSQL log (it once went to /dev/null).
        // (the copied launcher has no bin/walstow-jvm beside it: a [WS-CONFIG] line)
        assertThat(p.err()).contains("walstow: [WS-CONFIG]");
    }

    @Test
    @DisplayName("an ask nobody answers is withdrawn after the launcher's short wait, before it starts the agent")
    void unansweredAskWithdrawn() throws Exception {
        liveDaemon();
        Path asked = Files.createDirectories(state.resolve("asked"));
        Files.createDirectories(state.resolve("answers"));
        long start = System.nanoTime();
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        assertThat(p.exit()).as(p.toString()).isEqualTo(203);
        assertThat(System.nanoTime() - start).as("no fetching marker: a short wait").isLessThan(5_000_000_000L);
        assertThat(asked).isEmptyDirectory();
    }

    @Test
    @DisplayName("a history file the daemon answers with the file is renamed to %p and exits 0 without Java")
    void historyAnsweredWithFile() throws Exception {
        liveDaemon();
        Files.writeString(prefetch.resolve("00000002.history"), "stale");
        byte[] content = "1\t0/3000000\tno recovery target specified\n".getBytes();
        Thread daemon = answering("00000002.history", "", content);
        Proc p = run(launcherOnly, "archive-get", "00000002.history", "pg_wal/RECOVERYHISTORY");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYHISTORY"))).isEqualTo(content);
        assertThat(prefetch.resolve("00000002.history")).hasContent("stale");
    }

    @Test
    @DisplayName("with an ask out, a segment that lands in prefetch/ is left to the daemon, which answers through answers/")
    void askAnsweredOnlyThroughAnswers() throws Exception {
        liveDaemon();
        Path marker = Files.createFile(Files.createDirectories(state.resolve("fetching")).resolve(SEG));
        byte[] content = "fetched for the ask".getBytes();
        java.util.concurrent.atomic.AtomicBoolean movedByDaemon = new java.util.concurrent.atomic.AtomicBoolean();
        Thread daemon = onAsk(SEG, (ask, answers) -> {
            // As FetchService: the fetch lands in prefetch/, then the ask's answer is moved from there.
            Files.write(prefetch.resolve(SEG), content);
            PgCluster.sleep(300);
            Files.move(prefetch.resolve(SEG), answers.resolve(ask.getFileName()));
            movedByDaemon.set(true);
            Files.delete(marker);
        });
        Proc p = run(launcherOnly, "archive-get", SEG, "pg_wal/RECOVERYXLOG");
        daemon.join();
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(movedByDaemon).as("the daemon's own hand-over found its file").isTrue();
        assertThat(Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(content);
    }

    @Test
    @DisplayName("a failure the daemon records while the launcher waits for a push goes to the agent at once")
    void failureDuringPushWait() throws Exception {
        FileTime t = FileTime.from(Instant.ofEpochSecond(1_750_000_000L, 7));
        segment(t);
        liveDaemon();
        Path failed = Files.createDirectories(state.resolve("failed"));
        // The marker stays: the daemon retries the upload, so only the recorded failure can end the wait early.
        Files.createFile(Files.createDirectories(state.resolve("pushing")).resolve(SEG));
        Thread daemon = after(300, () -> {
            Files.writeString(failed.resolve(".tmp"), "STORAGE store down\n");
            Files.move(failed.resolve(".tmp"), failed.resolve(SEG));
        });
        long start = System.nanoTime();
        Proc p = run(launcherOnly, "archive-push", "pg_wal/" + SEG);
        daemon.join();
        assertThat(p.exit()).as("handed over to the (absent) agent: " + p).isEqualTo(3);
        assertThat(System.nanoTime() - start).as("not the 60 s bound").isLessThan(10_000_000_000L);
    }
}
