package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The repository lock end to end on real PostgreSQL 15: two {@code walstow backup} processes started together. The
 * archive_command is held back (it fails while a file exists), so the backup that got the lock cannot finish (it
 * waits for its WAL) until the test lets archiving go on: the other one must have ended before that, and whatever
 * the timing, only by refusing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupLockIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final Pattern HOLDER = Pattern.compile("another backup is running: host (\\S+), pid (\\d+), since ");

    private Path base;
    private Path hold;
    private WalstowDist walstow;
    private PgCluster primary;

    @BeforeAll
    void startPrimary() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("lock");
        TestDirs.createOwned(base.resolve("var"));
        hold = base.resolve("var/hold-archiving");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, base.resolve("var/repo"), primary,
                "[backup]\nparallelism = 2\narchive-timeout = \"300s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = 'test ! -f " + hold + " && " + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        primary.sql("CREATE TABLE events (id bigserial PRIMARY KEY, payload text)");
        primary.sql("INSERT INTO events (payload) SELECT md5(g::text) FROM generate_series(1, 50000) g");
        primary.switchAndAwaitArchived(WAIT);
    }

    @AfterAll
    void cleanUp() {
        if (primary != null) {
            primary.stop();
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @DisplayName("of two backups started together one runs and the other refuses at once naming it; expire is "
            + "refused while it runs, info shows it with its progress, and after it both work")
    void twoConcurrentBackups() throws Exception {
        Files.createFile(hold);
        TestDirs.chownPostgres(hold);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<CompletableFuture<Proc>> backups = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                backups.add(CompletableFuture.supplyAsync(this::backup, threads));
            }
            CompletableFuture.anyOf(backups.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<CompletableFuture<Proc>> done = backups.stream().filter(CompletableFuture::isDone).toList();
            assertThat(done).as("the backup holding the lock cannot finish while archiving is held").hasSize(1);
            CompletableFuture<Proc> running = backups.stream().filter(f -> !f.isDone()).findFirst().orElseThrow();

            Proc refused = done.getFirst().join();
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(12);
            assertThat(refused.err()).contains("[WS-LOCKED] another backup is running: host ", "HINT: wait for it");
            Matcher holder = HOLDER.matcher(refused.err());
            assertThat(holder.find()).isTrue();
            String pid = holder.group(2);
            assertThat(Path.of("/proc", pid)).as("the named holder is the running backup's JVM").exists();

            Proc expire = walstow.run(null, "expire", "--retention-full", "1");
            assertThat(expire.exit()).as(expire.toString()).isEqualTo(12);
            assertThat(expire.err()).contains("[WS-LOCKED] a backup is running: host " + holder.group(1) + ", pid "
                    + pid + ", since ");

            String info = awaitInfo("backup running: host " + holder.group(1) + ", pid " + pid + ", since ",
                    ", progress ");
            assertThat(info).containsPattern("progress [0-9,]+ of [0-9,]+ files, [0-9,]+ of [0-9,]+ MiB "
                    + "\\(last heartbeat [0-9]+s ago\\)");
            assertThat(running).isNotDone();

            Files.delete(hold);
            primary.sql("INSERT INTO events (payload) VALUES ('after the hold')");
            primary.switchAndAwaitArchived(WAIT);
            Proc backup = running.get(WAIT.toSeconds(), TimeUnit.SECONDS).ok();
            assertThat(backup.out()).contains("complete");
        } finally {
            threads.shutdownNow();
        }

        Proc expire = walstow.run(null, "expire", "--retention-full", "1").ok();
        assertThat(expire.out()).contains("keep backup ");
        assertThat(walstow.run(null, "info").ok().out()).doesNotContain("running:");
        assertThat(walstow.run(null, "backup").ok().out()).contains("complete");
    }

    private Proc backup() {
        return Proc.asPostgres(null, WalstowDist.ENV, WAIT.toSeconds() + 120, walstow.launcher.toString(),
                "--config", walstow.config.toString(), "backup");
    }

    /** Polls {@code walstow info} until it contains every one of {@code parts} (the first heartbeat is 10 s in). */
    private String awaitInfo(String... parts) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String out = "";
        while (System.nanoTime() < deadline) {
            out = walstow.run(null, "info").ok().out();
            String seen = out;
            if (java.util.Arrays.stream(parts).allMatch(seen::contains)) {
                return out;
            }
            PgCluster.sleep(1000);
        }
        throw new AssertionError("walstow info never showed " + java.util.Arrays.toString(parts) + ":\n" + out);
    }
}
