package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * walstow restore of a cluster with a tablespace, end to end on real PostgreSQL 15: a backup with a table and an
 * index in the tablespace, rows written after it; a restore that remaps the tablespace to another directory while
 * the primary runs on; a restore without the secret key that leaves nothing behind; then, with the primary and its
 * tablespace moved aside, a restore in place (same data directory, tablespace at its original path).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TablespaceRestoreIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String LOCATION = "SELECT pg_tablespace_location(oid) FROM pg_tablespace "
            + "WHERE spcname = 'fast'";
    private static final String CONTENT = "SELECT count(*) || '/' || sum(id) || '/' || count(*) FILTER (WHERE batch "
            + "= 'after') FROM fast_rows";

    private Path base;
    private Path repo;
    private Path tablespace;
    private WalstowDist walstow;
    private PgCluster primary;
    private String oid;
    private String expected;

    @BeforeAll
    void startPrimary() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("tablespace");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        tablespace = base.resolve("var/ts-fast");
        TestDirs.createOwned(tablespace);
        primary = PgCluster.initdb(base.resolve("var/primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary, "[backup]\narchive-timeout = \"120s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        primary.sql("CREATE TABLESPACE fast LOCATION '" + tablespace + "'");
        primary.sql("CREATE TABLE fast_rows (id bigint PRIMARY KEY USING INDEX TABLESPACE fast, batch text NOT NULL, "
                + "payload text) TABLESPACE fast");
        primary.sql("INSERT INTO fast_rows SELECT g, 'before', repeat(md5(g::text), 4) FROM generate_series(1, 20000) g");
        oid = primary.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'fast'");
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
    @DisplayName("backup records the tablespace by OID, location and name")
    void backupRecordsTablespace() throws IOException {
        walstow.run(null, "backup").ok();
        primary.sql("INSERT INTO fast_rows SELECT g, 'after', 'x' FROM generate_series(20001, 20500) g");
        primary.switchAndAwaitArchived(WAIT);
        expected = primary.sql(CONTENT);
        assertThat(expected).endsWith("/500");
        try (Stream<Path> s = Files.walk(repo.resolve("backup"), 2)) {
            Path manifest = s.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst().orElseThrow();
            assertThat(Files.readString(manifest)).contains("\"tablespace-names\"", "\"" + oid + "\" : \"fast\"",
                    "\"" + oid + "\" : \"" + tablespace + "\"", "\"pg_tblspc/" + oid + "/PG_15_");
        }
    }

    @Test
    @Order(2)
    @DisplayName("restore --tablespace-map fast=DIR puts the tablespace in DIR; the copy starts, has every row, "
            + "does not archive, and the primary's tablespace is untouched")
    void remapped() throws IOException {
        Path moved = base.resolve("var/ts-moved");
        Path data = base.resolve("var/restore-remapped");
        Proc p = walstow.run(null, "restore", "--pgdata", data.toString(), "--tablespace-map", "fast=" + moved);
        p.ok();
        assertThat(p.out()).contains("restored backup");
        assertThat(Files.readSymbolicLink(data.resolve("pg_tblspc/" + oid))).isEqualTo(moved);
        try (PgCluster restored = PgCluster.at(data, WalstowDist.ENV)) {
            restored.configure();
            restored.start();
            restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(restored.sql(CONTENT)).isEqualTo(expected);
            assertThat(restored.sql(LOCATION)).isEqualTo(moved.toString());
            assertThat(restored.sql("SHOW archive_mode")).isEqualTo("off");
            assertThat(restored.sql("SELECT t.spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = "
                    + "c.reltablespace WHERE c.relname = 'fast_rows_pkey'")).isEqualTo("fast");
            restored.sql("CREATE EXTENSION IF NOT EXISTS amcheck");
            restored.sql("SELECT bt_index_check('fast_rows_pkey', true)");
            assertThat(restored.log()).doesNotContain("FATAL");
        }
        assertThat(Files.readSymbolicLink(data.resolve("pg_tblspc/" + oid))).isEqualTo(moved);
        try (Stream<Path> s = Files.list(moved)) {
            assertThat(s.map(f -> f.getFileName().toString())).singleElement().asString().startsWith("PG_15_");
        }
        assertThat(primary.sql(CONTENT)).isEqualTo(expected);
        assertThat(primary.sql(LOCATION)).isEqualTo(tablespace.toString());
    }

    @Test
    @Order(3)
    @DisplayName("restore without the secret key fails with one WS-KEY line and creates neither directory")
    void withoutSecretKeyNothingIsWritten() throws IOException {
        Path config = base.resolve("no-secret.toml");
        WalstowDist.write(config, Files.readString(walstow.config).replaceFirst("(?m)^secret = .*\\n", ""));
        WalstowDist keyless = new WalstowDist(walstow.launcher, config);
        Path data = base.resolve("var/restore-keyless");
        Path moved = base.resolve("var/ts-keyless");
        Proc p = keyless.run(null, "restore", "--pgdata", data.toString(), "--tablespace-map", "fast=" + moved);
        assertThat(p.exit()).as(p.toString()).isEqualTo(8);
        assertThat(p.err().lines().filter(l -> l.contains("[WS-"))).singleElement().asString()
                .contains("[WS-KEY]", "no [encryption] secret configured");
        assertThat(p.err()).doesNotContain("Exception", "reachable");
        assertThat(data).doesNotExist();
        assertThat(moved).doesNotExist();
    }

    @Test
    @Order(4)
    @DisplayName("with the primary and its tablespace moved aside, restore in place recreates both at their paths")
    void inPlace() throws IOException {
        primary.stop();
        Files.move(primary.data, primary.data.resolveSibling("primary.broken"));
        Files.move(tablespace, tablespace.resolveSibling("ts-fast.broken"));

        walstow.run(null, "restore", "--pgdata", primary.data.toString()).ok();
        assertThat(Files.readSymbolicLink(primary.data.resolve("pg_tblspc/" + oid))).isEqualTo(tablespace);
        try (PgCluster restored = PgCluster.at(primary.data, WalstowDist.ENV)) {
            restored.configure();
            restored.start();
            restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
            assertThat(restored.sql(CONTENT)).isEqualTo(expected);
            assertThat(restored.sql(LOCATION)).isEqualTo(tablespace.toString());
        }
        try (Stream<Path> s = Files.list(tablespace)) {
            assertThat(s.map(f -> f.getFileName().toString())).singleElement().asString().startsWith("PG_15_");
        }
    }
}
