package dev.walstow.storage.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * s3proxy on disk for a test class, with one bucket, and for every test a fresh {@link FaultProxy} in front of it
 * and a fresh key prefix, so that tests never see each other's objects or faults. Register it in a static field
 * with {@code @RegisterExtension}; its per-test set-up runs before the class's own {@code @BeforeEach} methods.
 */
final class ProxiedS3 implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String bucket;
    private final boolean acceptSse;
    private final AtomicInteger prefixes = new AtomicInteger();
    private Path data;
    private S3ProxyServer server;
    private FaultProxy proxy;
    private String prefix;

    private ProxiedS3(String bucket, boolean acceptSse) {
        this.bucket = bucket;
        this.acceptSse = acceptSse;
    }

    static ProxiedS3 withBucket(String bucket) {
        return new ProxiedS3(bucket, false);
    }

    /** As {@link #withBucket}, on a server that accepts SSE headers ({@link S3ProxyServer#startAcceptingSse}). */
    static ProxiedS3 acceptingSseWithBucket(String bucket) {
        return new ProxiedS3(bucket, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        data = Files.createTempDirectory("walstow-s3proxy-");
        server = acceptSse ? S3ProxyServer.startAcceptingSse(data) : S3ProxyServer.start(data);
        server.createBucket(bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        proxy = new FaultProxy(server.port());
        prefix = bucket.charAt(0) + Integer.toString(prefixes.incrementAndGet()) + "/";
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        proxy.close();
    }

    S3ProxyServer server() {
        return server;
    }

    FaultProxy proxy() {
        return proxy;
    }

    String bucket() {
        return bucket;
    }

    /** This test's key prefix, e.g. {@code f12/}. */
    String prefix() {
        return prefix;
    }

    /** Settings of a store in this test's prefix, reached through the proxy. */
    S3Settings settings() {
        return server.settings(bucket, prefix, proxy.endpoint());
    }
}
