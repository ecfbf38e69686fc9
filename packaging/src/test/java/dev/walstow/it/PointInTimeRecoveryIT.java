package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The product's main job, end to end on real PostgreSQL 15: archive through archive_command, take a base backup,
 * recover into a new data directory to a recovery_target_time, then do it again across a timeline switch.
 * The steps build on each other (one cluster, one repository), hence the ordering.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRecoveryIT {
    private static final Duration ARCHIVE_WAIT = Duration.ofSeconds(120);

    private Path base;
    private Path repo;
    private Path backup;
    private WalstowDist walstow;
    private PgCluster primary;
    private String targetOnTimeline1;

    @BeforeAll
    void startPrimary() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("pitr");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        backup = base.resolve("backup");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary.data);
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'", "max_wal_senders = 4");
        walstow.run(null, "init").ok();
        primary.start();
    }

    @AfterAll
    void cleanUp() {
        if (primary != null) {
            primary.stop();
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @Order(1)
    @DisplayName("archive_command archives every segment PostgreSQL hands it, encrypted, and a base backup completes")
    void archivesAndBacksUp() {
        primary.sql("CREATE TABLE events (id bigserial PRIMARY KEY, batch text NOT NULL, payload text, "
                + "at timestamptz NOT NULL DEFAULT clock_timestamp())");
        // Several segments of realistic WAL: inserts with mixed payloads, then updates and deletes.
        primary.sql("INSERT INTO events (batch, payload) SELECT 'seed', md5(g::text) || repeat('x', g % 200) "
                + "FROM generate_series(1, 120000) g");
        primary.sql("UPDATE events SET payload = upper(payload) WHERE id % 7 = 0");
        primary.sql("DELETE FROM events WHERE id % 11 = 0");
        String last = primary.switchAndAwaitArchived(ARCHIVE_WAIT);
        assertThat(primary.sql("SELECT failed_count FROM pg_stat_archiver")).isEqualTo("0");

        primary.baseBackup(backup);
        assertThat(Files.exists(repo.resolve("wal/0000000100000000/" + last))).isTrue();
    }

    @Test
    @Order(2)
    @DisplayName("recovery to a target time brings back exactly the rows committed before it")
    void recoversToTargetTime() {
        insertBatch(primary, "before", 50);
        PgCluster.sleep(1100);
        targetOnTimeline1 = primary.sql("SELECT now()");
        PgCluster.sleep(1100);
        insertBatch(primary, "after", 50);
        primary.switchAndAwaitArchived(ARCHIVE_WAIT);

        try (PgCluster restored = restoreBackup("restore1", targetOnTimeline1, "pause")) {
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", Duration.ofSeconds(180));
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'before'")).isEqualTo("50");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'after'")).isEqualTo("0");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'seed'"))
                    .isEqualTo(primary.sql("SELECT count(*) FROM events WHERE batch = 'seed'"));
            assertThat(restored.log()).containsPattern("restored log file \"0000000100000000000000[0-9A-F]{2}\" from archive");
        }
    }

    @Test
    @Order(3)
    @DisplayName("after promotion, recovery follows the history file to a target time on timeline 2")
    void recoversAcrossTimelines() {
        String targetOnTimeline2;
        try (PgCluster promoted = restoreBackup("restore2", targetOnTimeline1, "promote")) {
            promoted.awaitSql("SELECT pg_is_in_recovery()", "f", Duration.ofSeconds(180));
            assertThat(promoted.sql("SELECT timeline_id FROM pg_control_checkpoint()")).isEqualTo("2");
            insertBatch(promoted, "tl2-before", 30);
            PgCluster.sleep(1100);
            targetOnTimeline2 = promoted.sql("SELECT now()");
            PgCluster.sleep(1100);
            insertBatch(promoted, "tl2-after", 30);
            promoted.switchAndAwaitArchived(ARCHIVE_WAIT);
        }
        assertThat(Files.exists(repo.resolve("wal/history/00000002.history"))).isTrue();

        try (PgCluster again = restoreBackup("restore3", targetOnTimeline2, "pause")) {
            again.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", Duration.ofSeconds(180));
            assertThat(again.sql("SELECT count(*) FROM events WHERE batch = 'before'")).isEqualTo("50");
            assertThat(again.sql("SELECT count(*) FROM events WHERE batch = 'after'")).isEqualTo("0");
            assertThat(again.sql("SELECT count(*) FROM events WHERE batch = 'tl2-before'")).isEqualTo("30");
            assertThat(again.sql("SELECT count(*) FROM events WHERE batch = 'tl2-after'")).isEqualTo("0");
            assertThat(again.log()).contains("restored log file \"00000002.history\" from archive");
        }
    }

    /** One transaction per row (COMMIT inside DO), so every row has its own commit time around the target. */
    private static void insertBatch(PgCluster cluster, String batch, int rows) {
        cluster.sql("DO $$ BEGIN FOR i IN 1.." + rows + " LOOP INSERT INTO events (batch, payload) VALUES ('"
                + batch + "', 'row ' || i); COMMIT; END LOOP; END $$");
    }

    /** Copies the base backup into a new data directory and starts it in targeted recovery from the archive. */
    private PgCluster restoreBackup(String name, String targetTime, String action) {
        Path data = base.resolve(name);
        Proc.run(null, java.util.Map.of(), 120, java.util.List.of("cp", "-a", backup.toString(), data.toString()))
                .ok();
        PgCluster cluster = PgCluster.at(data, WalstowDist.ENV);
        cluster.configure("restore_command = '" + walstow.restoreCommand() + "'",
                "archive_command = '" + walstow.archiveCommand() + "'",
                "recovery_target_time = '" + targetTime + "'",
                "recovery_target_action = '" + action + "'");
        WalstowDist.write(data.resolve("recovery.signal"), "");
        cluster.start();
        return cluster;
    }
}
