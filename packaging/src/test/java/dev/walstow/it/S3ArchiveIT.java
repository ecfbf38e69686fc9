package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.storage.s3.FaultProxy;
import dev.walstow.storage.s3.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 repository end to end on real PostgreSQL 15 (1 MiB segments): s3proxy in this JVM on loopback, a fault
 * proxy in front of it, the daemon archiving through the proxy. A store outage of 60 s in the middle of a burst
 * (archive_command fails, WAL waits in pg_wal, archive-get exits above 125, never 1), the backlog drained after,
 * then a PITR from the bucket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3ArchiveIT {
    private static final Duration DRAIN = Duration.ofSeconds(120);
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final String BUCKET = "walstow-it";

    private Path base;
    private Path backup;
    private S3ProxyServer s3;
    private FaultProxy proxy;
    private WalstowDist walstow;
    private PgCluster primary;
    private WalstowDaemon daemon;
    private String target;
    private long firstArchived;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        base = TestDirs.base("s3");
        TestDirs.createOwned(base.resolve("var"));
        backup = base.resolve("backup");
        s3 = S3ProxyServer.start(java.nio.file.Files.createDirectories(base.resolve("s3proxy-data")));
        s3.createBucket(BUCKET);
        proxy = new FaultProxy(s3.port());
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV, "--wal-segsize=1");
        walstow = WalstowDist.withKeys(base, base.resolve("var/unused"), primary.data);
        walstow.useS3(BUCKET, "db1", proxy.endpoint(), s3.accessKey(), s3.secretKey(), """
                connect-timeout = "1s"
                read-timeout = "2s"
                request-timeout = "3s"
                call-timeout = "5s"
                sdk-attempts = 2
                """, """
                [daemon]
                push-concurrency = 4
                wait-timeout = "12s"
                operation-timeout = "5s"
                """);
        primary.configure("wal_level = replica", "archive_mode = on", "max_wal_size = 256MB",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        daemon = WalstowDaemon.start(walstow, primary.data);
        primary.start();
        firstArchived = segmentNumber(primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())"));
        primary.sql("CREATE TABLE burst (id bigserial PRIMARY KEY, batch text, payload text, "
                + "at timestamptz DEFAULT clock_timestamp())");
    }

    @AfterAll
    void stop() throws Exception {
        if (primary != null) {
            primary.stop();
        }
        if (daemon != null) {
            daemon.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (s3 != null) {
            s3.close();
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @Order(1)
    @DisplayName("a 60 s store outage in the middle of a burst: archiving fails, WAL waits, nothing is lost after")
    void outageDuringBurst() throws Exception {
        primary.baseBackup(backup);
        primary.sql("DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO burst (batch) VALUES ('before'); COMMIT; "
                + "END LOOP; END $$");
        write("burst-1", 20);
        PgCluster.sleep(1100);
        target = primary.sql("SELECT now()");
        PgCluster.sleep(1100);

        Thread writer = Thread.ofPlatform().start(() -> write("burst-2", 96));
        // Early in the burst: on a quiet machine the daemon archives a segment every few ms, and the test needs
        // most of the burst to meet the outage.
        PgCluster.sleep(200);
        proxy.down(true);
        long outageStart = System.nanoTime();
        writer.join(Duration.ofMinutes(2).toMillis());
        assertThat(writer.isAlive()).as("writer finished").isFalse();

        // archive-get while the store is down: "could not tell", never "not there" (exit 1 would end recovery).
        Path scratch = base.resolve("scratch");
        TestDirs.createOwned(scratch);
        for (String name : List.of(fileName(firstArchived), "000000010000000F000000FF")) {
            Proc got = walstow.run(scratch, "archive-get", "--allow-outside-pg-wal", name,
                    scratch.resolve(name).toString());
            assertThat(got.exit()).as(got.toString()).isGreaterThan(125);
        }
        long remaining = OUTAGE.toNanos() - (System.nanoTime() - outageStart);
        if (remaining > 0) {
            PgCluster.sleep(remaining / 1_000_000);
        }
        assertThat(Long.parseLong(primary.sql("SELECT failed_count FROM pg_stat_archiver")))
                .as("archive_command failed during the outage").isPositive();
        String lastReady = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
        long backlog = segmentNumber(lastReady) - segmentNumber(
                primary.sql("SELECT coalesce(last_archived_wal, '000000010000000000000001') FROM pg_stat_archiver"));
        // Bring the store back before asserting, so a failure here does not leave it down for the next test.
        proxy.down(false);
        assertThat(backlog).as("segments waiting in pg_wal").isGreaterThanOrEqualTo(64);

        long drainStart = System.nanoTime();
        primary.sql("DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO burst (batch) VALUES ('after'); COMMIT; "
                + "END LOOP; END $$");
        String last = primary.switchAndAwaitArchived(DRAIN);
        System.out.printf("S3ArchiveIT: backlog of %d segments (1 MiB) drained into S3 in %d ms after the outage%n",
                backlog, (System.nanoTime() - drainStart) / 1_000_000);

        Set<String> stored = storedKeys();
        for (long n = firstArchived; n <= segmentNumber(last); n++) {
            String name = fileName(n);
            assertThat(stored).as("%s archived", name).contains("wal/" + name.substring(0, 16) + "/" + name);
        }
        assertThat(primary.log()).doesNotContain("WS-DUPLICATE");
        assertThat(daemon.log()).doesNotContain("WS-DUPLICATE");
    }

    @Test
    @Order(2)
    @DisplayName("PITR with recovery_target_time from the S3 repository")
    void pitrFromS3() {
        primary.stop();
        daemon.stop();
        Path data = base.resolve("restored");
        Proc.run(null, Map.of(), 120, List.of("cp", "-a", backup.toString(), data.toString())).ok();
        PgCluster restored = PgCluster.at(data, WalstowDist.ENV);
        restored.configure("restore_command = '" + walstow.restoreCommand() + "'",
                "recovery_target_time = '" + target + "'", "recovery_target_action = 'pause'");
        WalstowDist.write(data.resolve("recovery.signal"), "");
        WalstowDaemon recoveryDaemon = WalstowDaemon.start(walstow, data);
        try (restored) {
            restored.start();
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", DRAIN);
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch = 'before'")).isEqualTo("20");
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch = 'burst-1'")).isNotEqualTo("0");
            assertThat(restored.sql("SELECT count(*) FROM burst WHERE batch IN ('burst-2', 'after')")).isEqualTo("0");
        } finally {
            recoveryDaemon.stop();
        }
    }

    private Set<String> storedKeys() {
        Set<String> keys = new HashSet<>();
        try (S3AsyncClient admin = s3.admin()) {
            String token = null;
            for (int page = 0; page < 100; page++) {
                String t = token;
                ListObjectsV2Response res = admin.listObjectsV2(b -> b.bucket(BUCKET).prefix("db1/")
                        .continuationToken(t)).join();
                for (S3Object o : res.contents()) {
                    keys.add(o.key().substring("db1/".length()));
                }
                if (!Boolean.TRUE.equals(res.isTruncated())) {
                    break;
                }
                token = res.nextContinuationToken();
            }
        }
        return keys;
    }

    private void write(String batch, int megabytes) {
        primary.sql("DO $$ BEGIN FOR i IN 1.." + megabytes + " LOOP INSERT INTO burst (batch, payload) "
                + "SELECT '" + batch + "', repeat(md5(random()::text), 32) FROM generate_series(1, 800); COMMIT; "
                + "END LOOP; END $$");
    }

    private static String fileName(long n) {
        return "00000001%08X%08X".formatted(n / 4096, n % 4096);
    }

    private static long segmentNumber(String walFileName) {
        return Long.parseLong(walFileName.substring(8, 16), 16) * 4096 + Long.parseLong(walFileName.substring(16), 16);
    }
}
