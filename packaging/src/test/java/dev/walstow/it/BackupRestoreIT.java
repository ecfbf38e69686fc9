package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * walstow backup and restore end to end on real PostgreSQL 15: one primary archiving through walstow, a backup
 * with walstow backup, writes with known commit times, then restores into new directories to a time, to the end
 * of the backup and to the end of the archive; a restore that needs a deleted segment; a backup under pgbench load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreIT {
    private static final Duration WAIT = Duration.ofSeconds(180);

    private Path base;
    private Path repo;
    private WalstowDist walstow;
    private PgCluster primary;
    private String target;
    private String seedCount;

    @BeforeAll
    void startPrimary() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("backup");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary, "[backup]\nparallelism = 3\narchive-timeout = \"120s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        primary.sql("CREATE TABLE events (id bigserial PRIMARY KEY, batch text NOT NULL, payload text, "
                + "at timestamptz NOT NULL DEFAULT clock_timestamp())");
        primary.sql("INSERT INTO events (batch, payload) SELECT 'seed', md5(g::text) || repeat('x', g % 200) "
                + "FROM generate_series(1, 100000) g");
        seedCount = primary.sql("SELECT count(*) FROM events");
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
    @DisplayName("backup stores every file encrypted and writes its manifest once its WAL is archived")
    void backupCompletes() throws IOException {
        Proc p = walstow.run(null, "backup").ok();
        assertThat(p.out()).contains("complete");
        List<Path> manifests = manifests();
        assertThat(manifests).hasSize(1);
        String manifest = Files.readString(manifests.getFirst());
        assertThat(manifest).contains("\"stop-lsn\"", "\"global/pg_control\"", "\"PG_VERSION\"")
                .doesNotContain("\"pg_wal/0000");
        // Data objects are OpenPGP messages, never the plaintext (PG_VERSION's content is "15\n").
        try (Stream<Path> data = Files.list(manifests.getFirst().resolveSibling("data"))) {
            Path any = data.filter(Files::isSymbolicLink).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(any)[0] & 0x80).isNotZero();
        }
    }

    @Test
    @Order(2)
    @DisplayName("restore to a target time brings back exactly the rows committed before it")
    void restoresToTargetTime() {
        insertBatch("before", 50);
        PgCluster.sleep(1100);
        target = primary.sql("SELECT now()");
        PgCluster.sleep(1100);
        insertBatch("after", 50);
        primary.switchAndAwaitArchived(WAIT);

        try (PgCluster restored = restore("time", "--target-time", target, "--target-action", "pause")) {
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", WAIT);
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'before'")).isEqualTo("50");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'after'")).isEqualTo("0");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'seed'")).isEqualTo(seedCount);
        }
    }

    @Test
    @Order(3)
    @DisplayName("restore --target immediate stops where the backup became consistent")
    void restoresToBackupEnd() {
        try (PgCluster restored = restore("immediate", "--target", "immediate", "--target-action", "pause")) {
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", WAIT);
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'seed'")).isEqualTo(seedCount);
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch <> 'seed'")).isEqualTo("0");
        }
    }

    @Test
    @Order(4)
    @DisplayName("restore --target latest replays the whole archive and promotes")
    void restoresToLatest() {
        try (PgCluster restored = restore("latest", "--target", "latest")) {
            restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'before'")).isEqualTo("50");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'after'")).isEqualTo("50");
            assertThat(restored.log()).contains("restored log file").doesNotContain("FATAL");
        }
    }

    @Test
    @Order(5)
    @DisplayName("a restore whose target needs a deleted segment fails before writing anything, naming it")
    void missingSegmentFailsFast() throws IOException {
        // A segment in the middle of the archive: the restore check cannot see past the newest archived one.
        insertBatch("filler", 5);
        String missing = primary.switchAndAwaitArchived(WAIT);
        insertBatch("filler", 5);
        primary.switchAndAwaitArchived(WAIT);
        Path link = repo.resolve("wal/" + missing.substring(0, 16) + "/" + missing);
        Path aside = base.resolve("aside");
        Files.move(link, aside);
        try {
            Path data = base.resolve("var/restore-missing");
            Proc p = walstow.run(null, "restore", "--pgdata", data.toString(), "--target-time", target);
            assertThat(p.exit()).isEqualTo(9);
            assertThat(p.err()).contains("lacks WAL segment " + missing);
            assertThat(Files.exists(data)).isFalse();
        } finally {
            Files.move(aside, link);
        }
    }

    @Test
    @Order(6)
    @DisplayName("restore refuses a non-empty directory unless --delta, which reuses matching files")
    void refusesNonEmptyUnlessDelta() throws IOException {
        Path data = base.resolve("var/delta");
        Proc first = walstow.run(null, "restore", "--pgdata", data.toString(), "--target", "immediate");
        first.ok();
        Proc again = walstow.run(null, "restore", "--pgdata", data.toString(), "--target", "immediate");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("is not empty");
        Files.writeString(data.resolve("stray-file"), "x");
        Proc delta = walstow.run(null, "restore", "--pgdata", data.toString(), "--target", "immediate", "--delta")
                .ok();
        assertThat(delta.out()).containsPattern("\\b0 bytes fetched|[1-9][0-9,]* reused");
        assertThat(Files.exists(data.resolve("stray-file"))).isFalse();
    }

    @Test
    @Order(7)
    @DisplayName("a backup taken while pgbench writes restores to a consistent copy (same data, amcheck clean)")
    void backupUnderLoadIsConsistent() throws Exception {
        Proc.asPostgres(null, WalstowDist.ENV, 300, PgCluster.BIN.resolve("pgbench").toString(), "-i", "-s", "5",
                "-q", "-h", primary.socketDir.toString(), "-p", String.valueOf(primary.port), "-U", "postgres",
                "postgres").ok();
        Thread load = Thread.ofPlatform().start(() -> Proc.asPostgres(null, WalstowDist.ENV, 300,
                PgCluster.BIN.resolve("pgbench").toString(), "-c", "4", "-T", "25", "-n", "-h",
                primary.socketDir.toString(), "-p", String.valueOf(primary.port), "-U", "postgres", "postgres").ok());
        PgCluster.sleep(3000);
        JsonNode backup = json(walstow.run(null, "backup", "--output", "json").ok());
        assertThat(backup.at("/backup/label").asText()).matches("\\d{8}T\\d{6}Z");
        assertThat(backup.at("/backup/bytes").isIntegralNumber()).isTrue();
        assertThat(backup.get("bytes_per_second").isIntegralNumber()).isTrue();
        load.join(Duration.ofSeconds(120));
        assertThat(load.isAlive()).isFalse();
        primary.switchAndAwaitArchived(WAIT);
        String expected = primary.sql(CHECKSUM);

        try (PgCluster restored = restore("pgbench", "--target", "latest")) {
            restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(restored.sql(CHECKSUM)).isEqualTo(expected);
            restored.sql("CREATE EXTENSION IF NOT EXISTS amcheck");
            assertThat(restored.sql("SELECT count(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_class c "
                    + "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relpersistence = 'p') x"))
                    .isNotEqualTo("0");
        }
        assertThat(manifests()).hasSize(2);
    }

    @Test
    @Order(8)
    @DisplayName("info lists the backups and WAL; verify passes, then finds a deleted and a corrupted object")
    void infoAndVerify() throws IOException {
        JsonNode info = json(walstow.run(null, "info", "--output", "json").ok());
        assertThat(info.get("backups")).hasSize(2);
        assertThat(info.get("newest_segment").asText()).hasSize(24);
        assertThat(info.get("oldest_recoverable_time").asText()).endsWith("Z");
        assertThat(walstow.run(null, "info").ok().out()).contains("timeline 1:");
        Proc clean = walstow.run(null, "verify").ok();
        assertThat(clean.out()).contains("0 missing, 0 corrupt, 0 WAL gaps");

        Path data = manifests().getFirst().resolveSibling("data");
        List<Path> objects;
        try (Stream<Path> s = Files.list(data)) {
            objects = s.filter(Files::isSymbolicLink).sorted().toList();
        }
        Path deleted = objects.get(0);
        Path corrupted = objects.get(1);
        Files.delete(deleted);
        Path target = corrupted.resolveSibling(Files.readSymbolicLink(corrupted));
        byte[] bytes = Files.readAllBytes(target);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(target, bytes);

        Proc broken = walstow.run(null, "verify");
        assertThat(broken.exit()).isEqualTo(9);
        String root = repo.toString() + "/";
        assertThat(broken.out()).contains("missing: " + deleted.toString().substring(root.length()))
                .contains("corrupt: " + corrupted.toString().substring(root.length()))
                .contains("1 missing, 1 corrupt");
        Proc brokenJson = walstow.run(null, "verify", "--output", "json");
        assertThat(brokenJson.exit()).isEqualTo(9);
        JsonNode report = json(brokenJson);
        assertThat(report.get("ok").booleanValue()).isFalse();
        assertThat(report.get("missing")).hasSize(1);
        assertThat(report.get("corrupt")).hasSize(1);
    }

    /** What a command printed with --output json (docs/json.md). */
    private static JsonNode json(Proc p) {
        try {
            JsonNode doc = new ObjectMapper().readTree(p.out());
            assertThat(doc.get("walstow_json").intValue()).as(p.toString()).isEqualTo(1);
            return doc;
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + p, e);
        }
    }

    /** Content fingerprint of every pgbench table and the events table. */
    private static final String CHECKSUM = "SELECT (SELECT sum(abalance) || '/' || count(*) || '/' || "
            + "md5(string_agg(aid || ':' || abalance, ',' ORDER BY aid)) FROM pgbench_accounts) || ' ' || "
            + "(SELECT sum(bbalance) FROM pgbench_branches) || ' ' || (SELECT sum(tbalance) FROM pgbench_tellers) "
            + "|| ' ' || (SELECT count(*) || '/' || coalesce(sum(delta), 0) FROM pgbench_history) || ' ' || "
            + "(SELECT count(*) FROM events)";

    private void insertBatch(String batch, int rows) {
        primary.sql("DO $$ BEGIN FOR i IN 1.." + rows + " LOOP INSERT INTO events (batch, payload) VALUES ('"
                + batch + "', 'row ' || i); COMMIT; END LOOP; END $$");
    }

    /** walstow restore into a new directory, then start it (archiving off: it must not write to the repository). */
    private PgCluster restore(String name, String... targetArgs) {
        Path data = base.resolve("var/restore-" + name);
        List<String> args = new java.util.ArrayList<>(List.of("restore", "--pgdata", data.toString()));
        args.addAll(List.of(targetArgs));
        Proc p = walstow.run(null, args.toArray(String[]::new)).ok();
        assertThat(p.out()).contains("restored backup");
        assertThat(Files.exists(data.resolve("recovery.signal"))).isTrue();
        PgCluster cluster = PgCluster.at(data, WalstowDist.ENV);
        cluster.configure("archive_mode = off");
        cluster.start();
        return cluster;
    }

    private List<Path> manifests() {
        try (Stream<Path> s = Files.walk(repo.resolve("backup"), 2)) {
            return s.filter(p -> p.getFileName().toString().equals("manifest.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
