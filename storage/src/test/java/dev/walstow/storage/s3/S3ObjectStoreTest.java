package dev.walstow.storage.s3;

import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.ObjectStoreContractTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The storage contract against s3proxy on loopback, each test in a fresh prefix of one bucket. */
class S3ObjectStoreTest extends ObjectStoreContractTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static Path data;
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        data = Files.createTempDirectory("walstow-s3proxy");
        server = S3ProxyServer.start(data);
        server.createBucket("contract");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
        try (var files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected ObjectStore newStore() throws Exception {
        // 8 MiB parts so the 20 MiB contract objects go through multipart (3 parts) as base backups will.
        return S3ObjectStore.open(server.settings("contract", "t" + PREFIXES.incrementAndGet() + "/")
                .withMultipart(16L << 20, 8L << 20));
    }
}
