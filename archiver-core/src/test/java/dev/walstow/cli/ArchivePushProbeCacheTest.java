package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.storage.s3.FaultProxy;
import dev.walstow.storage.s3.RecordedRequest;
import dev.walstow.storage.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * archive-push run in-process (one JVM per call while the daemon is down) against S3: only the first call probes
 * the store for conditional writes; the answer waits in the cluster's spool for the next. Requests are counted on
 * the wire by {@link FaultProxy} between walstow and s3proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchivePushProbeCacheTest {
    private Path base;
    private TestCluster cluster;
    private S3ProxyServer server;
    private FaultProxy proxy;
    private Path config;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(TestCluster.available(), "needs PostgreSQL 15 (apt-get install postgresql)");
        base = TestCluster.tempBase();
        cluster = TestCluster.create(base, "main");
        server = S3ProxyServer.start(Files.createDirectories(base.resolve("s3")));
        server.createBucket("push");
        proxy = new FaultProxy(server.port());
        proxy.record(true);
        config = Files.writeString(base.resolve("walstow.toml"), server.repositoryTable("push", "db1",
                proxy.endpoint(), base.resolve("s3.secret")) + """
                [encryption]
                enabled = false
                [postgres]
                data = "%s"
                """.formatted(cluster.data));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
            server.close();
        }
        if (base != null) {
            TestCluster.deleteTree(base);
        }
    }

    private long probeRequests() {
        return proxy.recorded().stream().filter(r -> r.path().contains("/.walstow-probe/")).count();
    }

    private Cli push(Path file) {
        Cli push = Cli.run("--config", config.toString(), "archive-push", file.toString());
        assertThat(push.exit()).as(push.toString()).isZero();
        return push;
    }

    @Test
    @DisplayName("only the first in-process archive-push probes the store; the next finds the answer in pg_wal/.walstow "
            + "and still puts with If-None-Match")
    void secondPushDoesNotProbe() throws Exception {
        Cli init = Cli.run("--config", config.toString(), "init");
        assertThat(init.exit()).as(init.toString()).isZero();
        proxy.clearRecorded();

        push(cluster.firstSegment());
        assertThat(probeRequests()).as("probe requests of the first push").isEqualTo(3);
        try (Stream<Path> spool = Files.list(cluster.pgWal().resolve(".walstow"))) {
            assertThat(spool.filter(p -> p.getFileName().toString().startsWith("s3-conditional-write-")).toList())
                    .singleElement().satisfies(f -> assertThat(Files.readAllLines(f)).first().isEqualTo("if-none-match"));
        }
        proxy.clearRecorded();

        Path history = Files.writeString(cluster.pgWal().resolve("00000002.history"),
                "1\t0/1000000\tno recovery target specified\n");
        push(history);
        assertThat(probeRequests()).as("probe requests of the second push").isZero();
        List<RecordedRequest> puts = proxy.recorded().stream().filter(r -> r.operation().equals("PutObject")).toList();
        assertThat(puts).singleElement().satisfies(r -> {
            assertThat(r.path()).endsWith("00000002.history");
            assertThat(r.header("If-None-Match")).contains("*");
        });
    }
}
