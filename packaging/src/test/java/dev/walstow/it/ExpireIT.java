package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * walstow expire on real PostgreSQL 15: three backups with WAL between them, then a window that should keep exactly
 * the last two. A dry run deletes nothing; the real run leaves the last two backups and the WAL from the older one's
 * start; a restore to a time inside the window still works, and verify finds the repository whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExpireIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final Pattern STOP = Pattern.compile("\"stop-time\" : \"([^\"]+)\"");
    private static final Pattern START_LSN = Pattern.compile("\"start-lsn\" : \"([0-9A-F]+)/([0-9A-F]+)\"");

    private Path base;
    private Path repo;
    private WalstowDist walstow;
    private PgCluster primary;
    private List<String> labels;
    private String window;
    private String insideWindow;

    @BeforeAll
    void threeBackupsWithWalBetween() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("expire");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary, "[backup]\nparallelism = 2\narchive-timeout = \"120s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        primary.start();
        primary.sql("CREATE TABLE events (id bigserial PRIMARY KEY, batch text NOT NULL, "
                + "at timestamptz NOT NULL DEFAULT clock_timestamp())");
        for (String batch : List.of("one", "two", "three")) {
            insertBatch(batch);
            primary.switchAndAwaitArchived(WAIT);
            walstow.run(null, "backup", "--type", "full").ok(); // chains are ExpirePlannerTest's
            insertBatch(batch + "-after");
            if (batch.equals("two")) {
                // Room between the second backup's stop and the third's, so that a window can start in between.
                PgCluster.sleep(4000);
                insideWindow = primary.sql("SELECT now()");
                PgCluster.sleep(1100);
                insertBatch("two-late");
                PgCluster.sleep(6000);
            }
            primary.switchAndAwaitArchived(WAIT);
        }
        labels = manifests().stream().map(p -> p.getParent().getFileName().toString()).toList();
        assertThat(labels).hasSize(3);
        // A window starting 2-3 s before insideWindow: after the second backup stopped (4 s before it), before the
        // third stopped (7 s after it), and still before insideWindow when expire runs a moment later. The second
        // backup is then the newest that stopped before the window: it and the third stay.
        double inside = Double.parseDouble(primary.sql("SELECT extract(epoch FROM '" + insideWindow
                + "'::timestamptz)"));
        long seconds = (long) Math.ceil(Instant.now().toEpochMilli() / 1000.0 - inside) + 2;
        window = seconds + "s";
        assertThat(Instant.parse(field(STOP, manifests().get(1))).getEpochSecond()).isLessThan((long) inside - 3);
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
    @DisplayName("expire --dry-run names what it would delete and why, and deletes nothing")
    void dryRunDeletesNothing() {
        List<String> before = repositoryFiles();
        Proc p = walstow.run(null, "expire", "--retention-window", window, "--dry-run").ok();
        assertThat(p.out()).contains("would delete backup " + labels.get(0), "keep backup " + labels.get(1),
                "keep backup " + labels.get(2), "would delete WAL timeline 1: ", "the start of the oldest kept backup");
        assertThat(repositoryFiles()).isEqualTo(before);
    }

    @Test
    @Order(2)
    @DisplayName("expire keeps exactly what the window needs: the last two backups and WAL from the older one's start")
    void expireKeepsExactlyWhatTheWindowNeeds() throws IOException {
        Path second = manifests().get(1);
        long keepFrom = segmentNumber(second);
        Proc p = walstow.run(null, "expire", "--retention-window", window).ok();
        assertThat(p.out()).contains("deleted 1 backups");

        assertThat(manifests()).extracting(m -> m.getParent().getFileName().toString())
                .containsExactly(labels.get(1), labels.get(2));
        assertThat(links(repo.resolve("backup/" + labels.get(0)))).isEmpty();
        List<String> wal = links(repo.resolve("wal")).stream().map(f -> f.getFileName().toString()).toList();
        assertThat(wal).isNotEmpty().allSatisfy(name -> assertThat(numberOf(name)).isGreaterThanOrEqualTo(keepFrom));
        assertThat(wal.stream().filter(n -> n.length() == 24).mapToLong(ExpireIT::numberOf).max().orElseThrow()
                - keepFrom + 1).as("every segment from the second backup's start on")
                .isEqualTo(wal.stream().filter(n -> n.length() == 24).count());
        assertThat(wal).contains(segmentName(keepFrom));
        assertThat(walstow.run(null, "expire", "--retention-window", window).ok().out())
                .contains("nothing to delete");
    }

    @Test
    @Order(3)
    @DisplayName("after expire, a restore to a time inside the window works and verify finds everything intact")
    void restoreInsideWindowStillWorks() {
        Path data = base.resolve("var/restore-window");
        Proc r = walstow.run(null, "restore", "--pgdata", data.toString(), "--target-time", insideWindow,
                "--target-action", "pause").ok();
        assertThat(r.out()).contains("backup " + labels.get(1));
        try (PgCluster restored = PgCluster.at(data, WalstowDist.ENV)) {
            restored.configure("archive_mode = off");
            restored.start();
            restored.awaitSql("SELECT pg_get_wal_replay_pause_state()", "paused", WAIT);
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch = 'two-after'")).isEqualTo("20");
            assertThat(restored.sql("SELECT count(*) FROM events WHERE batch IN ('two-late', 'three')"))
                    .isEqualTo("0");
        }
        assertThat(walstow.run(null, "verify").ok().out()).contains("0 missing, 0 corrupt, 0 WAL gaps");
    }

    private void insertBatch(String batch) {
        primary.sql("DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO events (batch) VALUES ('" + batch
                + "'); COMMIT; END LOOP; END $$");
    }

    /** Segment number (across log ids) of a backup's start, from its manifest. */
    private static long segmentNumber(Path manifest) throws IOException {
        Matcher m = START_LSN.matcher(Files.readString(manifest));
        assertThat(m.find()).isTrue();
        long lsn = Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16);
        return lsn >>> 24; // 16 MiB segments
    }

    /** Segment number of a segment, .partial or .backup file name (16 MiB segments: 256 per log id). */
    private static long numberOf(String fileName) {
        return Long.parseLong(fileName.substring(8, 16), 16) * 256 + Long.parseLong(fileName.substring(16, 24), 16);
    }

    private static String segmentName(long number) {
        return String.format("00000001%08X%08X", number >>> 8, number & 0xFF);
    }

    private static String field(Pattern pattern, Path manifest) {
        try {
            Matcher m = pattern.matcher(Files.readString(manifest));
            assertThat(m.find()).isTrue();
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> manifests() {
        try (Stream<Path> s = Files.walk(repo.resolve("backup"), 2)) {
            return s.filter(p -> p.getFileName().toString().equals("manifest.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object (symbolic link) under {@code dir}, or none if it is gone. */
    private static List<Path> links(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isSymbolicLink).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> repositoryFiles() {
        try (Stream<Path> s = Files.walk(repo)) {
            return s.map(p -> repo.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
