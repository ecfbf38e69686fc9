package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The resident daemon on real PostgreSQL 15 (1 MiB segments, so a burst of 64+ segments is quick): a burst drained
 * through it, a kill -9 of the daemon in the middle of a burst, and a PITR through its prefetch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonIT {
    private static final Duration DRAIN = Duration.ofSeconds(180);

    private Path base;
    private Path repo;
    private Path backup;
    private WalstowDist walstow;
    private PgCluster primary;
    private WalstowDaemon daemon;
    private String target;
    /** Segments before this one were written by initdb, before archiving was on. */
    private long firstArchived;

    @BeforeAll
    void start() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        base = TestDirs.base("daemon");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        backup = base.resolve("backup");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV, "--wal-segsize=1");
        walstow = WalstowDist.withKeys(base, repo, primary.data);
        primary.configure("wal_level = replica", "archive_mode = on", "max_wal_size = 64MB",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        daemon = WalstowDaemon.start(walstow, primary.data);
        primary.start();
        firstArchived = segmentNumber(primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())"));
        primary.sql("CREATE TABLE burst (id bigserial PRIMARY KEY, batch text, payload text, "
                + "at timestamptz DEFAULT clock_timestamp())");
    }

    @AfterAll
    void stop() {
        if (primary != null) {
            primary.stop();
        }
        if (daemon != null) {
            daemon.stop();
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @Order(1)
    @DisplayName("a burst of 64+ segments drains through the daemon; every archived segment is in the repository")
    void burstDrains() throws IOException {
        primary.baseBackup(backup);
        int before = archivedCount();
        write("burst-1", 70);
        String last = primary.switchAndAwaitArchived(DRAIN);
        assertThat(archivedCount() - before).isGreaterThanOrEqualTo(64);
        assertEverySegmentRestores(last);
        assertThat(daemon.log()).contains("archived (").doesNotContain("WS-DUPLICATE");
        assertThat(primary.sql("SELECT failed_count FROM pg_stat_archiver")).isEqualTo("0");
    }

    @Test
    @Order(2)
    @DisplayName("kill -9 of the daemon in the middle of a burst loses nothing and duplicates nothing")
    void killDuringBurst() throws Exception {
        primary.sql("DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO burst (batch) VALUES ('before'); COMMIT; "
                + "END LOOP; END $$");
        PgCluster.sleep(1100);
        target = primary.sql("SELECT now()");
        PgCluster.sleep(1100);
        Thread writer = Thread.ofPlatform().start(() -> write("burst-2", 70));
        PgCluster.sleep(1500);
        daemon.kill9();
        writer.join(Duration.ofMinutes(3).toMillis());
        daemon = WalstowDaemon.start(walstow, primary.data);
        primary.sql("DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO burst (batch) VALUES ('after'); COMMIT; "
                + "END LOOP; END $$");
        String last = primary.switchAndAwaitArchived(DRAIN);
        assertEverySegmentRestores(last);
        assertThat(primary.log()).doesNotContain("WS-DUPLICATE");
        assertThat(daemon.log()).doesNotContain("WS-DUPLICATE");
    }

    @Test
    @Order(3)
    @DisplayName("PITR with recovery_target_time through the daemon's prefetch")
    void pitrThroughPrefetch() {
        primary.stop();
        daemon.stop();
        Path data = base.resolve("restored");
        Proc.run(null, java.util.Map.of(), 120, List.of("cp", "-a", backup.toString(), data.toString())).ok();
        PgCluster restored = PgCluster.at(data, WalstowDist.ENV);
        restored.configure("restore_command = '" + walstow.restoreCommand() + "'",
                "recovery_target_time = '" + target + "'", "recovery_target_action = 'pause'");
        WalstowDist.write(data.resolve("recovery.signal"), "");
        WalstowDaemon recoveryDaemon = WalstowDaemon.start(walstow, data);
        try (restored) {
            restored.start();
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", DRAIN);
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch = 'before'")).isEqualTo("20");
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch = 'after'")).isEqualTo("0");
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch = 'burst-1'")).isNotEqualTo("0");
            long restoredFiles = restored.log().lines().filter(l -> l.contains("restored log file")).count();
            assertThat(restoredFiles).isGreaterThan(64);
        } finally {
            recoveryDaemon.stop();
        }
        // The daemon fetched ahead: most segments reached PostgreSQL by rename from its spool, not by a fetch
        // made while PostgreSQL waited. Its log lines name what it prefetched.
        assertThat(recoveryDaemon.log()).contains("prefetched");
    }

    private void write(String batch, int megabytes) {
        // ~1 MiB of WAL per transaction of 800 rows of 1 KiB, committed one by one.
        primary.sql("DO $$ BEGIN FOR i IN 1.." + megabytes + " LOOP INSERT INTO burst (batch, payload) "
                + "SELECT '" + batch + "', repeat(md5(random()::text), 32) FROM generate_series(1, 800); COMMIT; "
                + "END LOOP; END $$");
    }

    /** Segment number of a file name with 1 MiB segments (4096 per log id). */
    private static long segmentNumber(String walFileName) {
        return Long.parseLong(walFileName.substring(8, 16), 16) * 4096 + Long.parseLong(walFileName.substring(16), 16);
    }

    private int archivedCount() {
        return Integer.parseInt(primary.sql("SELECT archived_count FROM pg_stat_archiver"));
    }

    /** Every segment from the first to {@code last} restores through archive-get (checksum verified). */
    private void assertEverySegmentRestores(String last) throws IOException {
        long lastNumber = segmentNumber(last);
        Path scratch = base.resolve("scratch");
        TestDirs.createOwned(scratch);
        for (long n = firstArchived; n <= lastNumber; n++) {
            String name = "00000001%08X%08X".formatted(n / 4096, n % 4096);
            Path link = repo.resolve("wal/" + name.substring(0, 16) + "/" + name);
            assertThat(Files.isSymbolicLink(link)).as("%s archived", name).isTrue();
        }
        // Restore a sample through the real command (full verification: decrypt, checksum, header).
        for (long n = Math.max(1, lastNumber - 5); n <= lastNumber; n++) {
            String name = "00000001%08X%08X".formatted(n / 4096, n % 4096);
            Proc got = walstow.run(scratch, "archive-get", "--allow-outside-pg-wal", name,
                    scratch.resolve(name).toString());
            assertThat(got.exit()).as(got.toString()).isZero();
        }
    }
}
