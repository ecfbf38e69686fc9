package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Metrics, the RPO guard and {@code walstow check} on real PostgreSQL 15 (1 MiB segments, archive_timeout off, an
 * RPO of 10 s), with the daemon's endpoint scraped over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
    private static final int RPO_SECONDS = 10;

    private Path base;
    private Path repo;
    private Path away;
    private WalstowDist walstow;
    private PgCluster primary;
    private WalstowDaemon daemon;

    @BeforeAll
    void start() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        base = TestDirs.base("observe");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        away = base.resolve("var/repo.away");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV, "--wal-segsize=1");
        walstow = WalstowDist.withKeys(base, repo, primary, "[guard]\nrpo = \"" + RPO_SECONDS + "s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on", "archive_timeout = 0", "max_wal_size = 64MB",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        daemon = WalstowDaemon.start(walstow, primary.data);
        Proc.asPostgres(null, WalstowDist.ENV, 300, PgCluster.BIN.resolve("pgbench").toString(), "-i", "-q", "-s",
                "5", "-h", primary.socketDir.toString(), "-p", String.valueOf(primary.port), "-U", "postgres",
                "postgres").ok();
        primary.switchAndAwaitArchived(Duration.ofSeconds(120));
    }

    @AfterAll
    void stop() {
        if (away != null && Files.exists(away) && !Files.exists(repo)) {
            move(away, repo);
        }
        if (daemon != null) {
            daemon.stop();
        }
        if (primary != null) {
            primary.close();
        }
        if (base != null) {
            TestDirs.deleteTree(base);
        }
    }

    private Scrape scrape() {
        return Scrape.of(walstow.metricsPort);
    }

    @Test
    @Order(1)
    @DisplayName("walstow check passes on a healthy setup: settings, repository, a forced switch archived")
    void checkPasses() {
        Proc check = walstow.run(null, "check", "--timeout", "60s");
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.out()).contains("ok   repository posix:" + repo, "ok   forced a segment switch",
                "all checks passed");
    }

    @Test
    @Order(2)
    @DisplayName("a small write on a quiet cluster is switched out by the guard and archived within the RPO")
    void guardHoldsTheRpo() {
        awaitMetric("exposure back to 0", "walstow_rpo_exposure_seconds", v -> v == 0, Duration.ofSeconds(60));
        double switchesBefore = scrape().value("walstow_wal_switches_total");
        long started = System.nanoTime();
        primary.sql("CREATE TABLE IF NOT EXISTS quiet (x int)");
        primary.sql("INSERT INTO quiet VALUES (1)");
        // After the commit (a separate psql call), the write position is past the inserted row.
        String segment = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())");
        primary.awaitSql("SELECT coalesce(last_archived_wal >= '" + segment + "', false) FROM pg_stat_archiver",
                "t", Duration.ofSeconds(3L * RPO_SECONDS));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("small write in %s archived after %.1f s (RPO %d s)%n", segment, seconds, RPO_SECONDS);
        assertThat(seconds).isLessThanOrEqualTo(RPO_SECONDS);
        assertThat(scrape().value("walstow_wal_switches_total")).isGreaterThan(switchesBefore);
        assertThat(daemon.log()).contains("forced a segment switch");
    }

    @Test
    @Order(3)
    @DisplayName("under pgbench, with the store away: backlog and exposure rise past the RPO, check names the store; "
            + "all falls once it is back")
    void storeDownUnderLoad() throws Exception {
        CompletableFuture<Proc> load = CompletableFuture.supplyAsync(() -> Proc.asPostgres(null, WalstowDist.ENV,
                300, PgCluster.BIN.resolve("pgbench").toString(), "-T", "45", "-c", "2", "-n", "-h",
                primary.socketDir.toString(), "-p", String.valueOf(primary.port), "-U", "postgres", "postgres"));
        PgCluster.sleep(5_000);
        Scrape before = scrape();
        assertThat(before.value("walstow_wal_position_bytes")).isPositive();
        move(repo, away);
        double maxBacklog = 0;
        try {
            Scrape during = awaitMetric("exposure past the RPO", "walstow_rpo_exposure_seconds",
                    v -> v > RPO_SECONDS, Duration.ofSeconds(60));
            maxBacklog = during.value("walstow_backlog_segments");
            assertThat(maxBacklog).isGreaterThanOrEqualTo(3);
            assertThat(during.value("walstow_backlog_bytes")).isGreaterThanOrEqualTo(3 << 20);
            assertThat(during.value("walstow_rpo_breached")).isEqualTo(1);
            assertThat(during.value("walstow_failures_total")).isPositive();
            Proc check = walstow.run(null, "check", "--timeout", "5s");
            System.out.println("check with the store away:\n" + check.out());
            assertThat(check.exit()).isEqualTo(1);
            assertThat(check.out()).contains("FAIL repository posix:" + repo, "FAIL RPO breached");
            Proc status = walstow.run(null, "status");
            assertThat(status.exit()).isEqualTo(1);
            assertThat(status.out()).contains("BREACHED");
        } finally {
            move(away, repo);
        }
        Proc pgbench = load.get();
        assertThat(pgbench.exit()).as(pgbench.toString()).isZero();
        Scrape after = awaitMetric("backlog drained", "walstow_backlog_segments", v -> v == 0,
                Duration.ofSeconds(120));
        System.out.printf("store away: backlog reached %.0f segments; drained, %.0f segments archived%n", maxBacklog,
                after.value("walstow_archived_segments_total"));
        awaitMetric("RPO held again", "walstow_rpo_breached", v -> v == 0, Duration.ofSeconds(30));
        assertThat(after.value("walstow_archived_segments_total"))
                .isGreaterThan(before.value("walstow_archived_segments_total") + maxBacklog - 1);
        assertThat(after.value("walstow_rpo_breaches_total")).isGreaterThanOrEqualTo(1);
        assertThat(after.value("walstow_upload_duration_seconds_count")).isPositive();
        Proc json = walstow.run(null, "status", "--output", "json");
        assertThat(json.exit()).as(json.toString()).isZero();
        assertThat(json.out()).contains("\"running\": true", "\"breached\": false", "\"last_segment\": \"0000")
                .containsPattern("\"files\": [1-9][0-9]*,");
    }

    @Test
    @Order(4)
    @DisplayName("a backup and a verify, run as commands of their own, reach the daemon's metrics, one series each; "
            + "the last archived segment is one numeric series after many segments")
    void backupAndVerifyInMetrics() {
        Scrape before = scrape();
        assertThat(before.value("walstow_backup_last_success_timestamp_seconds")).as("no backup yet").isZero();
        assertThat(before.text).contains("walstow_backup_last_success_timestamp_seconds{repository=\"");
        long started = java.time.Instant.now().getEpochSecond();
        walstow.run(null, "backup").ok();
        walstow.run(null, "verify").ok();
        // The daemon reads the repository's records every minute.
        Scrape after = awaitMetric("the verify record read", "walstow_verify_last_success", v -> v == 1,
                Duration.ofSeconds(150));
        assertThat(after.value("walstow_backup_last_success_timestamp_seconds")).isGreaterThanOrEqualTo(started);
        assertThat(after.value("walstow_backup_last_size_bytes")).isGreaterThan(10 << 20);
        assertThat(after.value("walstow_verify_last_problems")).isZero();
        assertThat(after.text).contains("type=\"full\"} 1");
        for (String name : new String[] {"walstow_backup_last_success_timestamp_seconds", "walstow_verify_last_success",
                "walstow_last_archived_position_bytes"}) {
            assertThat(after.text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")))
                    .as(name).hasSize(1);
        }
        assertThat(after.value("walstow_archived_segments_total")).isGreaterThan(10);
        assertThat(after.value("walstow_last_archived_position_bytes")).isPositive();
        assertThat(after.text).doesNotContain("segment=\"");
    }

    private Scrape awaitMetric(String what, String name, java.util.function.DoublePredicate ok, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        Scrape last = scrape();
        while (!ok.test(last.value(name))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit + " for " + what + "; " + name + " = " + last.value(name)
                        + "\n--- daemon log (tail) ---\n" + tail(daemon.log()));
            }
            PgCluster.sleep(500);
            last = scrape();
        }
        return last;
    }

    private static String tail(String log) {
        return log.length() < 4000 ? log : log.substring(log.length() - 4000);
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to);
        } catch (IOException e) {
            throw new AssertionError("cannot move " + from + " to " + to + ": " + e, e);
        }
    }
}
