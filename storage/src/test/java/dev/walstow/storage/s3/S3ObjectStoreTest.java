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
    /** One for the class: closing a Netty client costs its event loops' 2 s quiet period. */
    private static software.amazon.awssdk.services.s3.S3AsyncClient admin;

    @BeforeAll
    static void startServer() throws Exception {
        data = Files.createTempDirectory("walstow-s3proxy");
        server = S3ProxyServer.start(data);
        server.createBucket("contract");
        admin = server.admin();
    }

    @AfterAll
    static void stopServer() throws Exception {
        admin.close();
        server.close();
        try (var files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String prefix;

    /** Nothing in the bucket under the store's prefix that list() does not show (no probe or upload leftovers). */
    @Override
    protected void assertNothingStoredOutsideObjects() throws Exception {
        {
            var objects = admin.listObjectsV2(b -> b.bucket("contract").prefix(prefix)).join().contents();
            org.assertj.core.api.Assertions.assertThat(objects.stream().map(o -> o.key().substring(prefix.length())))
                    .containsExactlyInAnyOrderElementsOf(store.list(""));
            org.assertj.core.api.Assertions.assertThat(admin.listMultipartUploads(b -> b.bucket("contract")
                    .prefix(prefix)).join().uploads()).isEmpty();
        }
    }

    @Override
    protected void assertNoLeftovers() throws Exception {
        assertNothingStoredOutsideObjects();
    }

    @Override
    protected boolean abandonAnUpload(String key) {
        admin.createMultipartUpload(b -> b.bucket("contract").key(prefix + key)).join();
        return true;
    }

    @Override
    protected boolean listsStoredTimes() {
        return true;
    }

    @Override
    protected ObjectStore newStore() throws Exception {
        prefix = "t" + PREFIXES.incrementAndGet() + "/";
        // 8 MiB parts so the 20 MiB contract objects go through multipart (3 parts) as base backups will.
        return S3ObjectStore.open(server.settings("contract", prefix)
                .withMultipart(16L << 20, 8L << 20));
    }
}
