package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.codec.KeyGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * archive-push and archive-get through the real command line, on real WAL from initdb, asserting the exit-code
 * contract of docs/exit-codes.md for each success and failure path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveCommandsTest {
    private Path base;
    private TestCluster cluster;
    private TestCluster otherCluster;
    private Path keys;
    private Path repo;
    private Path config;

    @BeforeAll
    void clusters() throws IOException {
        assumeTrue(TestCluster.available(), "needs PostgreSQL 15 (apt-get install postgresql)");
        base = TestCluster.tempBase();
        cluster = TestCluster.create(base, "main");
        otherCluster = TestCluster.create(base, "other");
        keys = Files.createDirectories(base.resolve("keys"));
        KeyGenerator.generate("walstow test", Optional.empty(), keys.resolve("pub.asc"), keys.resolve("sec.asc"));
        KeyGenerator.generate("another key", Optional.empty(), keys.resolve("other-pub.asc"),
                keys.resolve("other-sec.asc"));
    }

    @AfterAll
    void cleanUp() {
        if (base != null) {
            TestCluster.deleteTree(base);
        }
    }

    @BeforeEach
    void freshRepository() throws IOException {
        repo = base.resolve("repo-" + System.nanoTime());
        config = writeConfig("walstow.toml", repo, "pub.asc", "sec.asc");
        try (Stream<Path> files = Files.list(cluster.pgWal())) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("000000010000000000000001")
                    && Files.isRegularFile(p)).toList()) {
                Files.delete(p);
            }
        }
        Cli init = Cli.run("--config", config.toString(), "init");
        assertThat(init.exit()).as(init.toString()).isZero();
    }

    private Path writeConfig(String name, Path repository, String pub, String sec) throws IOException {
        return Files.writeString(base.resolve(name), """
                [repository]
                path = "%s"
                [encryption]
                recipient = "%s"
                secret = "%s"
                [postgres]
                data = "%s"
                [retry]
                attempts = 2
                initial-backoff = "1ms"
                max-backoff = "2ms"
                """.formatted(repository, keys.resolve(pub), keys.resolve(sec), cluster.data));
    }

    private Cli push(String file) {
        return Cli.run("--config", config.toString(), "archive-push", cluster.pgWal().resolve(file).toString());
    }

    private Cli get(String name) {
        return Cli.run("--config", config.toString(), "archive-get", name,
                cluster.pgWal().resolve("RECOVERYXLOG").toString());
    }

    private Path restored() {
        return cluster.pgWal().resolve("RECOVERYXLOG");
    }

    @Test
    @DisplayName("a pushed segment comes back byte for byte, and a second push of it is a logged no-op")
    void roundTrip() throws IOException {
        Cli pushed = push("000000010000000000000001");
        assertThat(pushed.exit()).as(pushed.toString()).isZero();
        assertThat(pushed.err()).contains("000000010000000000000001 archived");
        assertThat(Files.isSymbolicLink(repo.resolve("wal/0000000100000000/000000010000000000000001"))).isTrue();

        Cli again = push("000000010000000000000001");
        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("already archived with identical content");

        Cli got = get("000000010000000000000001");
        assertThat(got.exit()).as(got.toString()).isZero();
        assertThat(Files.mismatch(restored(), cluster.firstSegment())).isEqualTo(-1L);
    }

    @Test
    @DisplayName("duplicate segment with different content is refused, naming both checksums, and the original kept")
    void duplicateRefused() throws IOException {
        assertThat(push("000000010000000000000001").exit()).isZero();
        Path original = cluster.pgWal().resolve("000000010000000000000001.orig");
        Files.copy(cluster.firstSegment(), original, StandardCopyOption.REPLACE_EXISTING);
        try {
            byte[] bytes = Files.readAllBytes(cluster.firstSegment());
            bytes[100_000] ^= 0x5a;
            Files.write(cluster.firstSegment(), bytes);
            Cli dup = push("000000010000000000000001");
            assertThat(dup.exit()).as(dup.toString()).isEqualTo(6);
            assertThat(dup.err()).contains("[WS-DUPLICATE]").contains("archived sha256").contains("local sha256")
                    .contains("HINT:");
        } finally {
            Files.move(original, cluster.firstSegment(), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(get("000000010000000000000001").exit()).isZero();
        assertThat(Files.mismatch(restored(), cluster.firstSegment())).isEqualTo(-1L);
    }

    @Test
    @DisplayName("WAL from another cluster is refused before anything is written")
    void otherClusterRefused() throws IOException {
        Path otherRepo = base.resolve("repo-other-" + System.nanoTime());
        Path otherConfig = writeConfig("other.toml", otherRepo, "pub.asc", "sec.asc");
        assertThat(Cli.run("--config", otherConfig.toString(), "init", "--pgdata", otherCluster.data.toString())
                .exit()).isZero();
        Cli refused = Cli.run("--config", otherConfig.toString(), "archive-push",
                cluster.firstSegment().toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(5);
        assertThat(refused.err()).contains("[WS-INVALID-WAL]").contains("another cluster");
        assertThat(otherRepo.resolve("wal")).doesNotExist();
    }

    @Test
    @DisplayName("init refuses to re-bind a repository to another cluster, and is idempotent for the same one")
    void initBinding() {
        assertThat(Cli.run("--config", config.toString(), "init").exit()).isZero();
        Cli other = Cli.run("--config", config.toString(), "init", "--pgdata", otherCluster.data.toString());
        assertThat(other.exit()).as(other.toString()).isEqualTo(4);
        assertThat(other.err()).contains("[WS-BINDING]").contains("is bound to system");
    }

    @Test
    @DisplayName("archive-get exits 1 only for a file the repository does not have")
    void notFound() {
        Cli missing = get("000000010000000000000042");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(restored()).doesNotExist();
        assertThat(get("00000005.history").exit()).isEqualTo(1);
    }

    @Test
    @DisplayName("a corrupted object makes archive-get exit above 125 and leaves nothing at %p")
    void corruptedObject() throws IOException {
        assertThat(push("000000010000000000000001").exit()).isZero();
        Path link = repo.resolve("wal/0000000100000000/000000010000000000000001");
        Path data = link.resolveSibling(Files.readSymbolicLink(link));
        byte[] stored = Files.readAllBytes(data);
        stored[stored.length / 2] ^= 0x01;
        Files.write(data, stored);
        Cli got = get("000000010000000000000001");
        assertThat(got.exit()).as(got.toString()).isEqualTo(209);
        assertThat(got.err()).contains("[WS-INTEGRITY]");
        assertThat(restored()).doesNotExist();
    }

    @Test
    @DisplayName("the wrong secret key makes archive-get exit above 125, not 1")
    void wrongKey() throws IOException {
        assertThat(push("000000010000000000000001").exit()).isZero();
        Path wrong = writeConfig("wrong-key.toml", repo, "other-pub.asc", "other-sec.asc");
        Cli got = Cli.run("--config", wrong.toString(), "archive-get", "000000010000000000000001",
                restored().toString());
        assertThat(got.exit()).as(got.toString()).isEqualTo(208);
        assertThat(got.err()).contains("[WS-KEY]");
        assertThat(restored()).doesNotExist();
    }

    @Test
    @DisplayName("an unreachable repository makes archive-get exit above 125 after retries, never 1")
    void unreachableRepository() throws IOException {
        assertThat(push("000000010000000000000001").exit()).isZero();
        Path moved = repo.resolveSibling(repo.getFileName() + ".unmounted");
        Files.move(repo, moved);
        try {
            Cli got = get("000000010000000000000001");
            assertThat(got.exit()).as(got.toString()).isEqualTo(207);
            assertThat(got.err()).contains("[WS-STORAGE]");
            Cli pushed = push("000000010000000000000001");
            assertThat(pushed.exit()).isBetween(2, 125);
        } finally {
            Files.move(moved, repo);
        }
    }

    @Test
    @DisplayName("history, partial and backup-history files are archived and fetched; history is never overwritten")
    void otherFileKinds() throws IOException {
        Files.writeString(cluster.pgWal().resolve("00000002.history"),
                "1\t0/3000000\tno recovery target specified\n");
        Files.copy(cluster.firstSegment(), cluster.pgWal().resolve("000000010000000000000001.partial"));
        Files.writeString(cluster.pgWal().resolve("000000010000000000000001.00000028.backup"),
                "START WAL LOCATION: 0/1000028 (file 000000010000000000000001)\n");
        for (String f : new String[] {"00000002.history", "000000010000000000000001.partial",
                "000000010000000000000001.00000028.backup"}) {
            Cli pushed = push(f);
            assertThat(pushed.exit()).as(f + ": " + pushed).isZero();
            Cli got = get(f);
            assertThat(got.exit()).as(f + ": " + got).isZero();
            assertThat(Files.mismatch(restored(), cluster.pgWal().resolve(f))).isEqualTo(-1L);
        }
        Files.writeString(cluster.pgWal().resolve("00000002.history"),
                "1\t0/4000000\tno recovery target specified\n");
        assertThat(push("00000002.history").exit()).isEqualTo(6);
    }

    @Test
    @DisplayName("bad %f, a %p outside pg_wal and a missing file each get one clear line and the right exit code")
    void badInput() throws IOException {
        Cli badName = Cli.run("--config", config.toString(), "archive-get", "../../etc/passwd",
                restored().toString());
        assertThat(badName.exit()).isEqualTo(202);
        assertThat(badName.err()).contains("[WS-USAGE]").contains("not a WAL file name");
        Cli outside = Cli.run("--config", config.toString(), "archive-get", "000000010000000000000001",
                base.resolve("000000010000000000000001").toString());
        assertThat(outside.exit()).as(outside.toString()).isEqualTo(202);
        assertThat(outside.err()).contains("outside");
        Cli missing = push("000000010000000000000077");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(10);
        assertThat(missing.err()).contains("[WS-LOCAL-IO]").contains("does not exist");
        Cli noArgs = Cli.run("--config", config.toString(), "archive-get");
        assertThat(noArgs.exit()).isEqualTo(202);
        Path empty = Files.createDirectories(base.resolve("empty-repo-" + System.nanoTime()));
        Cli uninitialized = Cli.run("--config", writeConfig("uninit.toml", empty,
                "pub.asc", "sec.asc").toString(), "archive-push", cluster.firstSegment().toString());
        assertThat(uninitialized.exit()).as(uninitialized.toString()).isEqualTo(4);
        assertThat(uninitialized.err()).contains("not initialized").contains("walstow init");
    }
}
