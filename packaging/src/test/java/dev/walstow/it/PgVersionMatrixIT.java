package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walstow.wal.PgMajor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported PostgreSQL major end to end, each on a fresh cluster and repository: {@code walstow init}, WAL
 * archived through archive_command, a segment fetched back with archive-get and its page header checked,
 * {@code walstow backup} (a full, then an incremental: by page scan, or by WAL summaries on 17 and 18 with
 * summarize_wal = on), {@code walstow restore} of the chain to a recovery_target_time with exact row counts after promotion,
 * and {@code walstow verify}. 15 is Debian's build; the others are zonky's, which have no psql, so the test's own
 * SQL goes through JDBC. Also WAL segment sizes other than 16 MiB, and the refusal of a major walstow does not
 * support.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgVersionMatrixIT {
    private static final Duration WAIT = Duration.ofSeconds(180);

    /**
     * XLOG_PAGE_MAGIC as read from the first page of a segment written by each major's own initdb (zonky 13.23,
     * 14.20, 16.11, 17.5, 18.6 and Debian's 15.18): the facts PgMajor's table must agree with.
     */
    private static final Map<Integer, Integer> MAGIC_SEEN_IN_REAL_SEGMENTS = Map.of(13, 0xD106, 14, 0xD10D,
            15, 0xD110, 16, 0xD113, 17, 0xD116, 18, 0xD118);

    private Path base;

    @BeforeAll
    void prerequisites() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("matrix");
    }

    @AfterAll
    void cleanUp() {
        TestDirs.deleteTree(base);
    }

    static Stream<Arguments> clusters() {
        return Stream.of(Arguments.of(13, 16), Arguments.of(14, 16), Arguments.of(15, 16), Arguments.of(16, 16),
                Arguments.of(17, 16), Arguments.of(18, 16), Arguments.of(15, 64), Arguments.of(18, 1));
    }

    @ParameterizedTest(name = "PostgreSQL {0}, {1} MiB WAL segments")
    @MethodSource("clusters")
    @DisplayName("init, archive, archive-get, backup, restore to a target time with exact row counts, verify")
    void archivesAndRecovers(int major, int segmentMiB) throws IOException {
        long started = System.nanoTime();
        PgBinaries binaries = PgBinaries.of(major);
        Path dir = base.resolve("pg" + major + "-" + segmentMiB);
        TestDirs.createOwned(dir);
        Path repo = dir.resolve("repo");
        PgCluster primary = PgCluster.initdb(binaries, dir.resolve("primary"), WalstowDist.ENV,
                "--wal-segsize=" + segmentMiB);
        WalstowDist walstow = WalstowDist.withKeys(dir, repo, primary, "[backup]\narchive-timeout = \"120s\"\n");
        try (primary) {
            primary.configure("wal_level = replica", "archive_mode = on",
                    "archive_command = '" + walstow.archiveCommand() + "'", major >= 17 ? "summarize_wal = on" : "");
            walstow.run(null, "init").ok();
            assertThat(Files.readString(repo.resolve("repository.json"))).containsPattern("\"pg-major\"\\s*:\\s*" + major);
            primary.start();
            assertThat(primary.sql("SHOW server_version_num")).startsWith(String.valueOf(major));
            assertThat(primary.sql("SHOW wal_segment_size")).isEqualTo(segmentMiB + "MB");

            primary.sql("CREATE TABLE events (id bigserial PRIMARY KEY, batch text NOT NULL, payload text)");
            primary.sql("INSERT INTO events (batch, payload) SELECT 'seed', md5(g::text) FROM generate_series(1, 20000) g");
            String archived = primary.switchAndAwaitArchived(WAIT);
            assertSegmentComesBack(walstow, dir, archived, major, segmentMiB);

            // walstow backup: the SQL session's function names differ before and after 15 (pg_start_backup vs
            // pg_backup_start); the manifest is written only once the backup's WAL is in the repository.
            Proc backup = walstow.run(null, "backup").ok();
            assertThat(backup.out()).contains("complete");

            // An incremental on top: changed blocks from the server's WAL summaries on 17+ (summarize_wal = on),
            // from a page scan before; the restore below recovers from the chain.
            primary.sql("UPDATE events SET payload = 'updated' WHERE id % 10 = 0");
            primary.sql("CREATE TABLE later AS SELECT g FROM generate_series(1, 1000) g");
            String incr = walstow.run(null, "backup", "--output", "json").ok().out();
            JsonNode manifest = new ObjectMapper().readTree(repo.resolve("backup/" + new ObjectMapper().readTree(incr)
                    .at("/backup/label").asText() + "/manifest.json").toFile());
            assertThat(manifest.get("type").asText()).isEqualTo("incr");
            assertThat(manifest.get("changes-from").asText()).isEqualTo(major >= 17 ? "wal-summary" : "page-scan");
            if (major >= 17) {
                assertThat(manifest.at("/stats/read-bytes").asLong()).as("only changed blocks and whole files read")
                        .isLessThan(manifest.at("/stats/changed-bytes").asLong() * 3 / 2);
            }

            insertOneByOne(primary, "before", 40);
            PgCluster.sleep(1100);
            String target = primary.sql("SELECT now()");
            PgCluster.sleep(1100);
            insertOneByOne(primary, "after", 40);
            primary.switchAndAwaitArchived(WAIT);
            assertThat(primary.sql("SELECT failed_count FROM pg_stat_archiver")).isEqualTo("0");

            // walstow restore writes recovery.signal (12+; no recovery.conf) and the recovery settings.
            Path data = dir.resolve("restored");
            Proc restore = walstow.run(null, "restore", "--pgdata", data.toString(), "--target-time", target,
                    "--target-action", "promote").ok();
            assertThat(restore.out()).contains("restored backup");
            assertThat(data.resolve("recovery.signal")).exists();
            try (PgCluster restored = PgCluster.at(binaries, data, WalstowDist.ENV)) {
                // archive_mode off: the recovered copy must not archive a timeline of its own into this repository.
                restored.configure("archive_mode = off");
                restored.start();
                restored.awaitSql("SELECT pg_is_in_recovery()", "f", WAIT);
                assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'seed'")).isEqualTo("20000");
                assertThat(restored.sql("SELECT count(*) FROM events WHERE payload = 'updated'")).isEqualTo("2000");
                assertThat(restored.sql("SELECT count(*) FROM later")).isEqualTo("1000");
                assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'before'")).isEqualTo("40");
                assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'after'")).isEqualTo("0");
                assertThat(restored.log()).containsPattern("restored log file \"0000000100000000000000[0-9A-F]{2}\" from archive");
            }
            Proc verify = walstow.run(null, "verify");
            assertThat(verify.exit()).as(verify.toString()).isZero();
        } finally {
            System.out.printf("PgVersionMatrixIT: PostgreSQL %d with %d MiB segments took %d s%n", major, segmentMiB,
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
            TestDirs.deleteTree(dir);
        }
    }

    @Test
    @DisplayName("walstow init refuses a PostgreSQL 12 cluster with one clear line")
    void refusesUnsupportedMajor() {
        Path dir = base.resolve("pg12");
        TestDirs.createOwned(dir);
        PgCluster old = PgCluster.initdb(PgBinaries.of(12), dir.resolve("data"), WalstowDist.ENV);
        WalstowDist walstow = WalstowDist.withKeys(dir, dir.resolve("repo"), old.data);
        Proc init = walstow.run(null, "init");
        assertThat(init.exit()).as(init.toString()).isNotZero();
        assertThat(init.err().strip().lines()).as(init.toString()).hasSize(1).first().asString()
                .contains("PostgreSQL 12 is not supported by walstow")
                .contains("walstow supports PostgreSQL 13 to 18");
        assertThat(dir.resolve("repo")).doesNotExist();
    }

    /**
     * archive-get returns the segment with the page magic of the major that wrote it; walstow's own table must say
     * the same, or it would refuse (push) or mistrust (get) that major's WAL.
     */
    private static void assertSegmentComesBack(WalstowDist walstow, Path dir, String segment, int major, int segmentMiB)
            throws IOException {
        Path scratch = dir.resolve("scratch");
        TestDirs.createOwned(scratch);
        Proc got = walstow.run(scratch, "archive-get", "--allow-outside-pg-wal", segment,
                scratch.resolve(segment).toString());
        assertThat(got.exit()).as(got.toString()).isZero();
        byte[] bytes = Files.readAllBytes(scratch.resolve(segment));
        assertThat(bytes).hasSize(segmentMiB * 1024 * 1024);
        int magic = ByteBuffer.wrap(bytes, 0, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        assertThat(magic).as("page magic of PostgreSQL %d", major).isEqualTo(MAGIC_SEEN_IN_REAL_SEGMENTS.get(major));
        assertThat(PgMajor.walPageMagic(major)).isEqualTo(magic);
    }

    /** One transaction per row, so every row has its own commit time on either side of the target. */
    private static void insertOneByOne(PgCluster cluster, String batch, int rows) {
        cluster.sql("DO $$ BEGIN FOR i IN 1.." + rows + " LOOP INSERT INTO events (batch, payload) VALUES ('"
                + batch + "', 'row ' || i); COMMIT; END LOOP; END $$");
    }
}
