package dev.walstow.storage.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * s3proxy in this JVM on a loopback port, storing on disk under a directory, with AWS v4 authentication and
 * random keys. For tests and benchmarks of every module (published in the storage test-jar).
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final String accessKey = "walstow-test";
    private final String secretKey = UUID.randomUUID().toString();
    private final URI endpoint;

    private S3ProxyServer(Path dataDir) throws Exception {
        this(dataDir, null, null, false);
    }

    private S3ProxyServer(Path dataDir, Path keyStore, String keyStorePassword, boolean acceptSse) throws Exception {
        Properties props = new Properties();
        if (dataDir != null) {
            props.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        }
        props.setProperty("jclouds.identity", accessKey);
        props.setProperty("jclouds.credential", secretKey);
        BlobStore store = BlobStores.create(dataDir == null ? "transient-nio2" : "filesystem-nio2", props);
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(acceptSse ? new AcceptingSse(store) : store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .stopTimeout(1000);
        if (keyStore != null) {
            builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(keyStore.toString(), keyStorePassword);
        }
        proxy = builder.build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start in 30 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public static S3ProxyServer start(Path dataDir) throws Exception {
        return new S3ProxyServer(dataDir);
    }

    /**
     * Also serving HTTPS with the key in {@code keyStore} (PKCS#12), for clients that speak S3 only over TLS
     * (pgBackRest); {@link #securePort()}.
     */
    public static S3ProxyServer startWithTls(Path dataDir, Path keyStore, String password) throws Exception {
        return new S3ProxyServer(dataDir, keyStore, password, false);
    }

    /**
     * A server that accepts SSE-S3 and SSE-KMS request headers. s3proxy's disk store answers them with
     * {@code 501 NotImplemented}; declared capable, s3proxy checks them as S3 does (the algorithm is {@code AES256}
     * or {@code aws:kms}, a KMS key id only with {@code aws:kms}) and then stores the object unencrypted. For tests
     * that look at what a client sends (stripping the headers on the way instead would break the request signature,
     * which covers every {@code x-amz-*} header).
     */
    public static S3ProxyServer startAcceptingSse(Path dataDir) throws Exception {
        return new S3ProxyServer(dataDir, null, null, true);
    }

    private static final class AcceptingSse extends ForwardingBlobStore {
        AcceptingSse(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public boolean supportsServerSideEncryption() {
            return true;
        }
    }

    public int securePort() {
        return proxy.getSecurePort();
    }

    /** Objects kept in memory: measures client and protocol cost without the disk (benchmarks). */
    public static S3ProxyServer startInMemory() throws Exception {
        return new S3ProxyServer(null);
    }

    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return proxy.getPort();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public S3Settings.Credentials credentials() {
        return new S3Settings.Credentials.Literal(accessKey, secretKey);
    }

    /** Settings for a store in {@code bucket} under {@code prefix}, reached at {@code endpoint} (this or a proxy). */
    public S3Settings settings(String bucket, String prefix, URI via) {
        return S3Settings.of(bucket, prefix, REGION, Optional.of(via), true, credentials());
    }

    public S3Settings settings(String bucket, String prefix) {
        return settings(bucket, prefix, endpoint);
    }

    /**
     * The {@code [repository]} table of a walstow.toml for a store like this one (path-style, static keys) at
     * {@code endpoint}, the secret key in {@code secretFile}; ends with a newline.
     */
    public static String repositoryTable(String bucket, String prefix, URI endpoint, String accessKey,
            Path secretFile) {
        return """
                [repository]
                type = "s3"
                bucket = "%s"
                prefix = "%s"
                endpoint = "%s"
                path-style = true
                credentials = "static"
                access-key-id = "%s"
                secret-access-key-file = "%s"
                """.formatted(bucket, prefix, endpoint, accessKey, secretFile);
    }

    /** As {@link #repositoryTable(String, String, URI, String, Path)} for this server reached at {@code via}. */
    public String repositoryTable(String bucket, String prefix, URI via, Path secretFile) throws IOException {
        Files.writeString(secretFile, secretKey + "\n");
        return repositoryTable(bucket, prefix, via, accessKey, secretFile);
    }

    /** Creates a bucket with a plain synchronous client, independent of the code under test. */
    public void createBucket(String bucket) {
        try (S3AsyncClient admin = admin()) {
            admin.createBucket(b -> b.bucket(bucket)).join();
        }
    }

    /** A client independent of the code under test, to look at or tamper with the store directly. */
    public S3AsyncClient admin() {
        return S3AsyncClient.builder().endpointOverride(endpoint).region(Region.of(REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    /**
     * Stops the server. Jetty's graceful stop waits for open client connections (the SDK keeps a pool) and can
     * time out on a loaded machine after every test has passed; the test JVM ends anyway, so that timeout is not
     * a test failure. Any other failure to stop still is.
     */
    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("s3proxy: graceful stop timed out (open client connections); continuing");
        }
    }
}
