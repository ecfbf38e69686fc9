package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Incremental and differential backups end to end on real PostgreSQL 15, the primary itself as the oracle: a chain
 * full → incr → incr → diff → incr, with workloads between the backups that stress every rule of what is stored
 * whole (pgbench, a bulk UPDATE of a relation past its 1 GiB segment boundary and its extension, DELETE + VACUUM
 * truncation, TRUNCATE, VACUUM FULL, CLUSTER, CREATE INDEX, SET TABLESPACE, CREATE DATABASE with both strategies,
 * DROP DATABASE, SET UNLOGGED / LOGGED). At a time after each backup the content of every table (md5 of its rows
 * in order) is recorded; a PITR restore to each time must give the same, with amcheck clean. Then: --delta over an
 * older restore of the chain, a chain with a missing middle backup refused, and an incremental across a timeline
 * switch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncrementalBackupIT {
    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final List<String> DATABASES = List.of("postgres", "keep", "db_file_copy", "db_wal_log");

    private Path base;
    private Path repo;
    private WalstowDist walstow;
    private PgCluster primary;
    /** Label of each backup taken, in order. */
    private final List<String> labels = new ArrayList<>();
    /** Per backup: a time after it, and every table's content at that time. */
    private final Map<String, String> targetTimes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> contents = new LinkedHashMap<>();

    @BeforeAll
    void startPrimary() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("incremental");
        TestDirs.createOwned(base.resolve("var"));
        TestDirs.createOwned(base.resolve("var/ts1"));
        repo = base.resolve("var/repo");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary, "[backup]\nparallelism = 3\narchive-timeout = \"180s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on", "max_wal_size = 2GB",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        primary.sql("CREATE TABLESPACE ts1 LOCATION '" + base.resolve("var/ts1") + "'");
        pgbench("-i", "-s", "5", "-q");
        // One row per page (fillfactor 10, ~830-byte rows): 135,000 pages crosses the 1 GiB segment boundary.
        primary.sql("CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL, pad char(800) NOT NULL) "
                + "WITH (fillfactor = 10, autovacuum_enabled = off)");
        primary.sql("INSERT INTO big SELECT g, 0, 'x' FROM generate_series(1, 135000) g");
        for (String t : List.of("t_trunc", "t_vacfull", "t_cluster", "t_space", "t_unlog", "t_log", "t_del")) {
            primary.sql("CREATE " + (t.equals("t_log") ? "UNLOGGED " : "") + "TABLE " + t
                    + " (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off)");
            primary.sql("INSERT INTO " + t + " SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
        }
        primary.sql("CREATE DATABASE keep");
        primary.sqlIn("keep", "CREATE TABLE k (id int PRIMARY KEY, v text); "
                + "INSERT INTO k SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
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
    @DisplayName("the first backup is a full (nothing to build on), then incr, incr, diff and incr of the right references")
    void chain() {
        JsonNode full = backup();
        assertThat(full.at("/type").asText()).isEqualTo("full");

        pgbench("-T", "5", "-n");
        primary.sql("UPDATE big SET v = v + 1 WHERE id % 97 = 0");
        primary.sql("INSERT INTO big SELECT g, 1, 'y' FROM generate_series(135001, 137000) g");
        primary.sql("DELETE FROM t_del WHERE id > 10000");
        primary.sql("VACUUM t_del");
        primary.sql("CREATE INDEX big_v ON big (v)");
        JsonNode incr1 = backup();
        assertThat(incr1.at("/type").asText()).isEqualTo("incr");
        assertThat(incr1.at("/reference").asText()).isEqualTo(labels.get(0));

        primary.sql("TRUNCATE t_trunc");
        primary.sql("INSERT INTO t_trunc SELECT g, 'after truncate' FROM generate_series(1, 100) g");
        primary.sql("UPDATE t_vacfull SET v = 'moved' WHERE id % 3 = 0");
        primary.sql("VACUUM FULL t_vacfull");
        primary.sql("CLUSTER t_cluster USING t_cluster_pkey");
        primary.sql("ALTER TABLE t_space SET TABLESPACE ts1");
        primary.sql("CREATE DATABASE db_file_copy STRATEGY FILE_COPY TEMPLATE keep");
        primary.sql("CREATE DATABASE db_wal_log STRATEGY WAL_LOG TEMPLATE keep");
        primary.sqlIn("db_wal_log", "UPDATE k SET v = 'changed' WHERE id < 100");
        JsonNode incr2 = backup();
        assertThat(incr2.at("/reference").asText()).isEqualTo(labels.get(1));

        primary.sql("DROP DATABASE keep");
        primary.sql("ALTER TABLE t_unlog SET UNLOGGED");
        primary.sql("ALTER TABLE t_log SET LOGGED");
        primary.sql("INSERT INTO t_log SELECT g, 'logged now' FROM generate_series(20001, 20100) g");
        pgbench("-T", "3", "-n");
        JsonNode diff = backup("--type", "diff");
        assertThat(diff.at("/type").asText()).isEqualTo("diff");
        assertThat(diff.at("/reference").asText()).isEqualTo(labels.get(0));

        primary.sql("UPDATE big SET v = v + 1 WHERE id % 101 = 0");
        primary.sql("DELETE FROM big WHERE id > 134000");
        primary.sql("VACUUM big"); // truncates the second segment (stored whole: it got shorter), not the first
        pgbench("-T", "3", "-n");
        JsonNode incr3 = backup();
        assertThat(incr3.at("/reference").asText()).isEqualTo(labels.get(3));
        // incr1 changed a few percent of the data; incr3 followed the first VACUUM of big, which marked all its pages
        // all-visible without changing their LSN (no data checksums): they are stored again, by design.
        assertThat(incr1.at("/stats/changed-bytes").asLong()).isLessThan(full.at("/stats/changed-bytes").asLong() / 5);
        assertThat(incr3.at("/changes-from").asText()).isEqualTo("page-scan");
    }

    @Test
    @Order(2)
    @DisplayName("a PITR restore to a time after each backup of the chain gives every table as the primary had it")
    void restoresEveryPoint() {
        for (String label : labels) {
            try (PgCluster restored = restore("pitr-" + label, "--target-time", targetTimes.get(label),
                    "--target-action", "promote")) {
                restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
                assertThat(contents(restored)).as("content at the time after " + label)
                        .isEqualTo(contents.get(label));
                amcheck(restored);
            }
        }
    }

    @Test
    @Order(3)
    @DisplayName("restore --delta over an older restore of the same chain gives the newer point")
    void deltaOverOlderRestore() {
        Path data = base.resolve("var/delta");
        walstow.run(null, "restore", "--pgdata", data.toString(), "--target-time", targetTimes.get(labels.get(1)),
                "--tablespace-map-all", base.resolve("var/delta-ts").toString()).ok();
        Proc delta = walstow.run(null, "restore", "--pgdata", data.toString(), "--delta", "--target-time",
                targetTimes.get(labels.getLast()), "--target-action", "promote", "--tablespace-map-all", base.resolve("var/delta-ts").toString())
                .ok();
        assertThat(delta.out()).containsPattern("[1-9][0-9,]* reused");
        PgCluster restored = PgCluster.at(data, WalstowDist.ENV);
        restored.configure("archive_mode = off");
        restored.start();
        try (restored) {
            restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(contents(restored)).isEqualTo(contents.get(labels.getLast()));
        }
    }

    @Test
    @Order(4)
    @DisplayName("a chain with a missing middle backup is refused by restore before anything is written, and by verify")
    void brokenChainRefused() throws IOException {
        Path manifest = repo.resolve("backup/" + labels.get(1) + "/manifest.json");
        Path aside = base.resolve("var/manifest-aside");
        Files.move(manifest, aside);
        try {
            Path data = base.resolve("var/broken");
            Proc p = walstow.run(null, "restore", "--pgdata", data.toString(), "--set", labels.get(2));
            assertThat(p.exit()).isEqualTo(9);
            assertThat(p.err()).contains("chain of " + labels.get(2) + " is broken", labels.get(1), "HINT:");
            assertThat(Files.exists(data)).isFalse();
            Proc verify = walstow.run(null, "verify");
            assertThat(verify.exit()).isEqualTo(9);
            assertThat(verify.out()).contains("broken chain").contains(labels.get(1));
        } finally {
            Files.move(aside, manifest);
        }
    }

    @Test
    @Order(5)
    @DisplayName("an incremental taken on a promoted copy (timeline 2) builds on the timeline 1 backup and restores")
    void incrementalAcrossTimelineSwitch() {
        Path data = base.resolve("var/timeline2");
        walstow.run(null, "restore", "--pgdata", data.toString(), "--target", "latest", "--archive-mode", "preserve",
                "--tablespace-map-all", base.resolve("var/timeline2-ts").toString()).ok();
        PgCluster promoted = PgCluster.at(data, WalstowDist.ENV);
        promoted.configure();
        promoted.start();
        try (promoted) {
            promoted.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(promoted.sql("SELECT timeline_id FROM pg_control_checkpoint()")).isNotEqualTo("1");
            promoted.sql("UPDATE big SET v = v + 7 WHERE id % 89 = 0");
            WalstowDist other = walstow.pointedAt(base.resolve("walstow-tl2.toml"), promoted);
            JsonNode incr = manifest(json(other.run(null, "backup", "--output", "json").ok()).at("/backup/label")
                    .asText());
            assertThat(incr.at("/type").asText()).isEqualTo("incr");
            assertThat(incr.at("/reference").asText()).isEqualTo(labels.getLast());
            assertThat(incr.at("/timeline").asLong()).isEqualTo(2);
            Map<String, String> expected = contents(promoted);
            promoted.sql("SELECT pg_switch_wal()");
            try (PgCluster again = restore("tl2", "--target", "immediate", "--target-action", "promote",
                    "--target-timeline", "latest")) {
                again.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
                assertThat(contents(again)).isEqualTo(expected);
                amcheck(again);
            }
        }
    }

    private JsonNode backup(String... args) {
        List<String> cmd = new ArrayList<>(List.of("backup", "--output", "json"));
        cmd.addAll(List.of(args));
        String label = json(walstow.run(null, cmd.toArray(String[]::new)).ok()).at("/backup/label").asText();
        JsonNode b = manifest(label);
        labels.add(label);
        primary.sql("CHECKPOINT");
        contents.put(label, contents(primary));
        PgCluster.sleep(1100);
        targetTimes.put(label, primary.sql("SELECT now()"));
        PgCluster.sleep(1100);
        primary.sql("INSERT INTO t_del VALUES (-" + labels.size() + ", 'after the target')");
        primary.switchAndAwaitArchived(WAIT);
        return b;
    }

    private void pgbench(String... args) {
        List<String> cmd = new ArrayList<>(List.of(PgCluster.BIN.resolve("pgbench").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-h", primary.socketDir.toString(), "-p", String.valueOf(primary.port), "-U", "postgres",
                "postgres"));
        Proc.asPostgres(null, WalstowDist.ENV, 300, cmd.toArray(String[]::new)).ok();
    }

    /** Every user table of every database that exists, with the md5 of its rows in order. */
    private static Map<String, String> contents(PgCluster c) {
        Map<String, String> result = new LinkedHashMap<>();
        List<String> present = List.of(c.sql("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")
                .split(","));
        for (String db : DATABASES) {
            if (!present.contains(db)) {
                continue;
            }
            String tables = c.sqlIn(db, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
                    + "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relpersistence = 'p'");
            for (String t : tables.isEmpty() ? new String[0] : tables.split(",")) {
                result.put(db + "." + t, c.sqlIn(db, "SELECT count(*) || '/' || coalesce(md5(string_agg(x::text, "
                        + "',' ORDER BY x::text)), '-') FROM " + t + " x"));
            }
        }
        return result;
    }

    /**
     * amcheck on every B-tree index, and no heap page whose visibility map bit says all-visible while the page does
     * not (VACUUM marks pages all-visible without changing their LSN when data checksums are off: an incremental
     * that missed it would let a later update leave the map bit set, and index-only scans return deleted rows).
     */
    private static void amcheck(PgCluster c) {
        c.sql("CREATE EXTENSION IF NOT EXISTS amcheck");
        assertThat(c.sql("SELECT count(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_class c "
                + "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relpersistence = 'p') x"))
                .isNotEqualTo("0");
        c.sql("CREATE EXTENSION IF NOT EXISTS pg_visibility");
        assertThat(c.sql("SELECT coalesce(string_agg(DISTINCT c.relname, ','), '') FROM pg_class c, "
                + "LATERAL pg_visibility(c.oid) v WHERE c.relkind = 'r' AND c.relpersistence = 'p' "
                + "AND c.relnamespace = 'public'::regnamespace AND v.all_visible AND NOT v.pd_all_visible"))
                .as("tables with pages the visibility map marks all-visible but the page does not").isEmpty();
    }

    /** The stored manifest of a backup (plain JSON). */
    private JsonNode manifest(String label) {
        try {
            return new ObjectMapper().readTree(repo.resolve("backup/" + label + "/manifest.json").toFile());
        } catch (IOException e) {
            throw new AssertionError("no manifest for " + label, e);
        }
    }

    private static JsonNode json(Proc p) {
        try {
            return new ObjectMapper().readTree(p.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + p, e);
        }
    }

    private PgCluster restore(String name, String... targetArgs) {
        Path data = base.resolve("var/restore-" + name);
        List<String> args = new ArrayList<>(List.of("restore", "--pgdata", data.toString(), "--tablespace-map-all",
                base.resolve("var/ts-" + name).toString()));
        args.addAll(List.of(targetArgs));
        Proc p = walstow.run(null, args.toArray(String[]::new)).ok();
        assertThat(p.out()).contains("restored backup");
        PgCluster cluster = PgCluster.at(data, WalstowDist.ENV);
        cluster.configure("archive_mode = off");
        cluster.start();
        return cluster;
    }
}
