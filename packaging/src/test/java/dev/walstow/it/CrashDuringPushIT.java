package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kill -9 of archive-push at random moments: the repository must hold either no object or a whole, verifiable
 * one under the name, and the next push must succeed (PostgreSQL simply calls archive_command again).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashDuringPushIT {
    private static final String SEGMENT = "000000010000000000000001";
    private static final int ROUNDS = 12;

    private Path base;
    private PgCluster cluster;
    private WalstowDist walstow;
    private Path repo;

    @BeforeAll
    void setUp() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        base = TestDirs.base("crash");
        cluster = PgCluster.initdb(base.resolve("data"), WalstowDist.ENV);
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        walstow = WalstowDist.withKeys(base, repo, cluster.data);
        walstow.run(null, "init").ok();
    }

    @AfterAll
    void tearDown() {
        TestDirs.deleteTree(base);
    }

    @Test
    @DisplayName("archive-push killed at any moment leaves no object or a whole one, and the retry succeeds")
    void killedPushLeavesNothingHalfWritten() throws Exception {
        Path link = repo.resolve("wal/0000000100000000/" + SEGMENT);
        Path restored = cluster.data.resolve("pg_wal/RECOVERYXLOG");
        int sawNothing = 0;
        int sawWhole = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process push = new ProcessBuilder(List.of("runuser", "-u", "postgres", "--", "env",
                    "JAVA_HOME=" + WalstowDist.ENV.get("JAVA_HOME"), walstow.launcher.toString(), "--config",
                    walstow.config.toString(), "archive-push", "pg_wal/" + SEGMENT))
                    .directory(cluster.data.toFile()).redirectErrorStream(true).start();
            Thread.sleep(ThreadLocalRandom.current().nextLong(50, 900));
            // runuser forwards SIGKILL poorly; kill the whole process tree, the JVM included.
            push.descendants().forEach(ProcessHandle::destroyForcibly);
            push.destroyForcibly();
            push.waitFor();

            if (Files.isSymbolicLink(link)) {
                sawWhole++;
                Proc got = walstow.run(cluster.data, "archive-get", SEGMENT, "pg_wal/RECOVERYXLOG");
                assertThat(got.exit()).as("round %d: %s", round, got).isZero();
                assertThat(Files.mismatch(restored, cluster.data.resolve("pg_wal/" + SEGMENT))).isEqualTo(-1L);
                Files.delete(restored);
                deleteObject(link);
            } else {
                sawNothing++;
            }
            assertThat(danglingLinks()).isEmpty();
        }
        Proc finalPush = walstow.run(cluster.data, "archive-push", "pg_wal/" + SEGMENT);
        assertThat(finalPush.exit()).as(finalPush.toString()).isZero();
        assertThat(sawNothing + sawWhole).isEqualTo(ROUNDS);
    }

    /** Removes the object so the next round races the push again (maintenance would do this with 'expire'). */
    private static void deleteObject(Path link) throws IOException {
        Path target = link.resolveSibling(Files.readSymbolicLink(link));
        Files.delete(link);
        Files.deleteIfExists(target);
    }

    private List<Path> danglingLinks() throws IOException {
        try (Stream<Path> walk = Files.walk(repo)) {
            return walk.filter(Files::isSymbolicLink).filter(p -> !Files.exists(p)).toList();
        }
    }

}
