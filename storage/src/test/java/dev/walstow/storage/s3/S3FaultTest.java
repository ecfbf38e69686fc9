package dev.walstow.storage.s3;

import static dev.walstow.storage.StoreFixtures.assertSameBytes;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StorageException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** S3 behaviour under the faults of a real network, through {@link FaultProxy} in front of s3proxy. */
class S3FaultTest {
    /** Short bounds so that stalls and outages are seen in seconds. */
    private static final S3Settings.Timeouts FAST = new S3Settings.Timeouts(Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5));

    @RegisterExtension
    static final ProxiedS3 S3 = ProxiedS3.withBucket("faults");

    private S3Settings settings() {
        return S3.settings().withTimeouts(FAST);
    }

    private static void assertFails(Kind kind, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind));
    }

    @Test
    @DisplayName("s3proxy honours If-None-Match, so create-only is atomic there")
    void probeFindsConditionalWrites() throws Exception {
        try (S3ObjectStore store = S3ObjectStore.open(settings())) {
            assertThat(store.atomicCreate()).isTrue();
            assertThat(store.list("")).as("the probe object is gone").isEmpty();
        }
        try (var admin = S3.server().admin()) {
            assertThat(admin.listObjectsV2(b -> b.bucket(S3.bucket()).prefix(S3.prefix())).join().contents()).isEmpty();
        }
    }

    @Test
    @DisplayName("50 ms of latency on every chunk slows transfers down but they complete intact")
    void latency() throws Exception {
        byte[] bytes = randomBytes(1 << 20, 11);
        S3.proxy().latency(Duration.ofMillis(50));
        try (S3ObjectStore store = S3ObjectStore.open(settings().withTimeouts(S3Settings.Timeouts.DEFAULT))) {
            long start = System.nanoTime();
            assertThat(store.putIfAbsent("lat", bytes, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());
            assertSameBytes(content(store.get("lat")), bytes);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(400));
        }
    }

    @Test
    @DisplayName("connections reset by the store are retried by the SDK and the put succeeds once")
    void resets() throws Exception {
        byte[] bytes = randomBytes(200_000, 12);
        try (S3ObjectStore store = S3ObjectStore.open(settings().withSdkAttempts(4))) {
            store.atomicCreate(); // the probe's requests must not use up the resets
            S3.proxy().resetNext(2);
            assertThat(store.putIfAbsent("reset", bytes, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());
            S3.proxy().resetNext(2);
            assertSameBytes(content(store.get("reset")), bytes);
        }
    }

    @Test
    @DisplayName("a stalled store fails put, get and head within the timeouts as UNAVAILABLE, never as not found")
    void stall() throws Exception {
        byte[] bytes = randomBytes(100_000, 13);
        try (S3ObjectStore store = S3ObjectStore.open(settings().withSdkAttempts(2))) {
            store.putIfAbsent("there", bytes, ObjectMeta.ofPlain(bytes));
            S3.proxy().stall(true);
            long start = System.nanoTime();
            assertFails(Kind.UNAVAILABLE, () -> store.get("there"));
            assertFails(Kind.UNAVAILABLE, () -> store.get("absent"));
            assertFails(Kind.UNAVAILABLE, () -> store.head("absent"));
            assertFails(Kind.UNAVAILABLE, () -> store.putIfAbsent("new", bytes, ObjectMeta.ofPlain(bytes)));
            // 4 calls, each bounded by the 5 s call timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
            S3.proxy().stall(false);
            assertSameBytes(content(store.get("there")), bytes);
        }
    }

    @Test
    @DisplayName("a 3 s window of 503 SlowDown answers is retried with backoff and the put succeeds after it")
    void slowDownWindow() throws Exception {
        byte[] bytes = randomBytes(300_000, 14);
        try (S3ObjectStore store = S3ObjectStore.open(settings())) {
            store.atomicCreate();
            S3.proxy().slowDownFor(Duration.ofSeconds(3));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            PutResult result = null;
            int failures = 0;
            // What walstow's Retrier does: bounded in tries and time.
            for (int attempt = 0; attempt < 20 && result == null && System.nanoTime() < deadline; attempt++) {
                try {
                    result = store.putIfAbsent("slow", bytes, ObjectMeta.ofPlain(bytes));
                } catch (StorageException e) {
                    assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.UNAVAILABLE);
                    failures++;
                    Thread.sleep(500);
                }
            }
            assertThat(result).isEqualTo(new PutResult.Created());
            assertThat(S3.proxy().slowDownsAnswered()).as("503s answered").isGreaterThan(failures);
            assertSameBytes(content(store.get("slow")), bytes);
        }
    }

    @Test
    @DisplayName("a byte corrupted in transit is rejected by the store's checksum check and nothing is stored")
    void corruptedUpload() throws Exception {
        byte[] bytes = randomBytes(500_000, 15);
        for (S3Settings.Checksum algorithm : S3Settings.Checksum.values()) {
            S3Settings s = settings().withSdkAttempts(1);
            s = new S3Settings(s.bucket(), s.prefix(), s.region(), s.endpoint(), s.pathStyle(), s.credentials(),
                    s.encryption(), s.storageClass(), algorithm, s.conditionalWrite(), s.timeouts(), 1,
                    s.maxConcurrency(), s.multipartThreshold(), s.partSize());
            try (S3ObjectStore store = S3ObjectStore.open(s)) {
                store.atomicCreate();
                String key = "corrupt-" + algorithm;
                S3.proxy().corruptNextRequestBody();
                assertThatThrownBy(() -> store.putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes)))
                        .isInstanceOfSatisfying(StorageException.class, e -> {
                            // Retryable either way. Usually IO with the store's verdict (BadDigest, or a payload
                            // signature mismatch over plain HTTP); but a store that answers before it has read
                            // the whole body may reset the connection first, and the client then only sees the
                            // reset (UNAVAILABLE): seen in a clean-clone CI run.
                            assertThat(e.kind()).as(e.getMessage()).isIn(Kind.IO, Kind.UNAVAILABLE);
                            if (e.kind() == Kind.IO) {
                                assertThat(e.getMessage()).containsAnyOf("BadDigest", "XAmzContentSHA256Mismatch",
                                        "InvalidDigest", "checksum");
                            }
                        });
                assertThat(store.head(key)).isEmpty();
                assertThat(store.putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());
                assertSameBytes(content(store.get(key)), bytes);
            }
        }
    }

    @Test
    @DisplayName("a byte corrupted in a download is detected by the stored checksum: the read fails, retryable")
    void corruptedDownload() throws Exception {
        byte[] bytes = randomBytes(500_000, 19);
        try (S3ObjectStore store = S3ObjectStore.open(settings())) {
            store.putIfAbsent("down", bytes, ObjectMeta.ofPlain(bytes));
            S3.proxy().corruptNextResponseBody();
            assertThatThrownBy(() -> content(store.get("down"))).hasRootCauseInstanceOf(Exception.class)
                    .satisfies(e -> assertThat(causes(e)).anySatisfy(c -> assertThat(c)
                            .isInstanceOfSatisfying(StorageException.class, se -> {
                                assertThat(se.kind()).isEqualTo(Kind.IO);
                                assertThat(se.getMessage()).containsIgnoringCase("checksum");
                            })));
            assertSameBytes(content(store.get("down")), bytes);
        }
    }

    private static java.util.List<Throwable> causes(Throwable t) {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && all.size() < 20; c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    @Test
    @DisplayName("a multipart upload whose part is corrupted fails, is aborted, and leaves no upload behind")
    void multipartAbortedOnFailure(@TempDir Path tmp) throws Exception {
        byte[] bytes = randomBytes(12 << 20, 16);
        Path file = Files.write(tmp.resolve("big"), bytes);
        try (S3ObjectStore store = S3ObjectStore.open(settings().withSdkAttempts(1)
                .withMultipart(6L << 20, 5L << 20).withTimeouts(S3Settings.Timeouts.DEFAULT))) {
            store.atomicCreate();
            S3.proxy().corruptNextRequestBody();
            assertThatThrownBy(() -> store.putIfAbsent("mp", file, ObjectMeta.ofPlain(bytes)))
                    .isInstanceOf(StorageException.class);
            assertThat(store.head("mp")).isEmpty();
            assertThat(openUploads()).as("multipart uploads left").isZero();
            assertThat(store.putIfAbsent("mp", file, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());
            assertSameBytes(content(store.get("mp")), bytes);
        }
    }

    @Test
    @DisplayName("cleanAbandonedUploads aborts uploads a crash left behind, only those older than asked and only in "
            + "the prefix; a dry run only counts them")
    void staleUploadsCleanedUp() throws Exception {
        try (S3AsyncClient admin = S3.server().admin(); S3ObjectStore store = S3ObjectStore.open(settings())) {
            admin.createMultipartUpload(b -> b.bucket(S3.bucket()).key(S3.prefix() + "crashed/a")).join();
            admin.createMultipartUpload(b -> b.bucket(S3.bucket()).key(S3.prefix() + "crashed/b")).join();
            admin.createMultipartUpload(b -> b.bucket(S3.bucket()).key("elsewhere/c")).join();

            assertThat(store.cleanAbandonedUploads(Duration.ofHours(1), false)).isZero();
            Thread.sleep(1100); // S3 times have a resolution of one second
            assertThat(store.cleanAbandonedUploads(Duration.ofSeconds(1), true)).as("dry run").isEqualTo(2);
            assertThat(openUploads()).as("a dry run aborts nothing").isEqualTo(2);
            assertThat(store.cleanAbandonedUploads(Duration.ofSeconds(1), false)).isEqualTo(2);
            assertThat(openUploads()).isZero();
            assertThat(admin.listMultipartUploads(b -> b.bucket(S3.bucket()).prefix("elsewhere/")).join().uploads())
                    .as("uploads outside the repository prefix are not ours").hasSize(1);
        }
    }

    private int openUploads() throws Exception {
        try (S3AsyncClient admin = S3.server().admin()) {
            return admin.listMultipartUploads(b -> b.bucket(S3.bucket()).prefix(S3.prefix())).join().uploads().size();
        }
    }

    @Test
    @DisplayName("with a store that cannot be reached, get and head fail as UNAVAILABLE, never as not found")
    void outage() throws Exception {
        try (S3ObjectStore store = S3ObjectStore.open(settings())) {
            store.atomicCreate();
            S3.proxy().down(true);
            long start = System.nanoTime();
            assertFails(Kind.UNAVAILABLE, () -> store.get("absent"));
            assertFails(Kind.UNAVAILABLE, () -> store.head("absent"));
            assertFails(Kind.UNAVAILABLE, () -> store.list(""));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            S3.proxy().down(false);
            assertThat(store.get("absent")).isEmpty();
        }
    }

    @Test
    @DisplayName("a missing bucket is an error for head and get, never \"not found\"")
    void missingBucket() throws Exception {
        S3Settings s = S3.server().settings("no-such-bucket", "", S3.proxy().endpoint());
        try (S3ObjectStore store = S3ObjectStore.open(s)) {
            assertFails(Kind.PERMISSION_DENIED, () -> store.get("x"));
            assertFails(Kind.PERMISSION_DENIED, () -> store.head("x"));
        }
    }

    @Test
    @DisplayName("a wrong secret key is PERMISSION_DENIED for every operation, without retries")
    void wrongSecret() throws Exception {
        S3Settings s = S3.server().settings(S3.bucket(), S3.prefix(), S3.proxy().endpoint());
        s = S3Settings.of(s.bucket(), s.prefix(), s.region(), s.endpoint(), true,
                new S3Settings.Credentials.Literal(S3.server().accessKey(), "wrong"));
        try (S3ObjectStore store = S3ObjectStore.open(s)) {
            assertFails(Kind.PERMISSION_DENIED, () -> store.get("x"));
            assertFails(Kind.PERMISSION_DENIED, () -> store.head("x"));
            assertFails(Kind.PERMISSION_DENIED, () -> store.putIfAbsent("x", new byte[1], ObjectMeta.ofPlain(new byte[1])));
        }
    }

    @Test
    @DisplayName("without If-None-Match, HEAD before PUT still refuses a different object under a taken key")
    void headCheckFallback() throws Exception {
        byte[] first = randomBytes(1000, 17);
        byte[] second = randomBytes(1000, 18);
        try (S3ObjectStore store = S3ObjectStore.open(settings()
                .withConditionalWrite(S3Settings.ConditionalWrite.HEAD_CHECK))) {
            assertThat(store.atomicCreate()).isFalse();
            assertThat(store.putIfAbsent("h", first, ObjectMeta.ofPlain(first))).isEqualTo(new PutResult.Created());
            assertThat(store.putIfAbsent("h", second, ObjectMeta.ofPlain(second)))
                    .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(first)));
            assertSameBytes(content(store.get("h")), first);
        }
    }

    @Test
    @DisplayName("an object without walstow metadata is CORRUPT, not a valid object and not missing")
    void foreignObject() throws Exception {
        try (S3AsyncClient admin = S3.server().admin(); S3ObjectStore store = S3ObjectStore.open(settings())) {
            admin.putObject(b -> b.bucket(S3.bucket()).key(S3.prefix() + "foreign"),
                    software.amazon.awssdk.core.async.AsyncRequestBody.fromString("x")).join();
            assertFails(Kind.CORRUPT, () -> store.head("foreign"));
            assertFails(Kind.CORRUPT, () -> store.get("foreign"));
            assertThat(store.list("")).containsExactly("foreign");
        }
    }

    @Test
    @DisplayName("static credentials are read from the secret key file; an empty or missing file fails at open")
    void staticCredentialsFromFile(@TempDir Path tmp) throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), S3.server().secretKey() + "\n");
        S3Settings base = settings();
        try (S3ObjectStore store = S3ObjectStore.open(S3Settings.of(base.bucket(), base.prefix(), base.region(),
                base.endpoint(), true, new S3Settings.Credentials.Static(S3.server().accessKey(), secret)))) {
            assertThat(store.get("nothing")).isEqualTo(Optional.empty());
        }
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        for (Path bad : new Path[] {empty, tmp.resolve("missing")}) {
            assertThatThrownBy(() -> S3ObjectStore.open(S3Settings.of(base.bucket(), base.prefix(), base.region(),
                    base.endpoint(), true, new S3Settings.Credentials.Static(S3.server().accessKey(), bad))))
                    .isInstanceOfSatisfying(StorageException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PERMISSION_DENIED);
                        assertThat(e.getMessage()).contains(bad.toString()).doesNotContain(S3.server().secretKey());
                    });
        }
    }

    @Test
    @DisplayName("the credential chain with instance metadata disabled fails fast and clearly when nothing is configured")
    void noCredentialsFailsFast() throws Exception {
        S3Settings base = settings();
        // A profile that exists nowhere; no AWS_* variables in the test environment; IMDS never asked.
        S3Settings s = S3Settings.of(base.bucket(), base.prefix(), base.region(), base.endpoint(), true,
                new S3Settings.Credentials.Chain(Optional.of("walstow-test-no-such-profile"), false));
        try (S3ObjectStore store = S3ObjectStore.open(s)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.get("x")).isInstanceOfSatisfying(StorageException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.PERMISSION_DENIED);
                assertThat(e.getMessage()).contains("credentials");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
