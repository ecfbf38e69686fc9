package dev.walstow.storage.s3;

import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conditional-write probe's answer kept across store instances (one per in-process archive-push), with the
 * probe's requests counted on the wire by {@link FaultProxy}.
 */
class S3ConditionalWriteCacheTest {
    @RegisterExtension
    static final ProxiedS3 S3 = ProxiedS3.withBucket("cache");

    @TempDir
    Path spool;

    ConditionalWriteCache cache;
    /** The repository the stores below are opened on; a test may move to another. */
    String prefix;

    @BeforeEach
    void recordAndCache() {
        S3.proxy().record(true);
        cache = ConditionalWriteCache.in(spool.resolve("pg_wal/.walstow"));
        prefix = S3.prefix();
    }

    private S3Settings settings() {
        return S3.server().settings(S3.bucket(), prefix, S3.proxy().endpoint());
    }

    private S3ObjectStore open() throws StorageException {
        return S3ObjectStore.open(settings(), cache);
    }

    private static PutResult put(S3ObjectStore store, String key, int seed) throws StorageException {
        byte[] bytes = randomBytes(1000, seed);
        return store.putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes));
    }

    /** Requests of the probe: two conditional PUTs and a DELETE of an object under .walstow-probe/. */
    private long probeRequests() {
        return S3.proxy().recorded().stream().filter(r -> r.path().contains("/.walstow-probe/")).count();
    }

    private List<RecordedRequest> putsOf(String key) {
        return S3.proxy().recorded().stream().filter(r -> r.operation().equals("PutObject")
                && r.path().endsWith("/" + prefix + key)).toList();
    }

    @Test
    @DisplayName("only the first store on a repository probes; the next takes the answer from the cache and still "
            + "puts with If-None-Match, and another prefix is probed for itself")
    void secondStoreDoesNotProbe() throws Exception {
        try (S3ObjectStore first = open()) {
            assertThat(put(first, "a", 1)).isEqualTo(new PutResult.Created());
        }
        assertThat(probeRequests()).as("the first store's probe").isEqualTo(3);
        S3.proxy().clearRecorded();

        try (S3ObjectStore second = open()) {
            assertThat(put(second, "b", 2)).isEqualTo(new PutResult.Created());
            assertThat(put(second, "a", 3)).as("create-only still holds")
                    .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(randomBytes(1000, 1))));
        }
        assertThat(probeRequests()).as("probe requests of the second store").isZero();
        assertThat(putsOf("b")).singleElement().satisfies(r -> assertThat(r.header("If-None-Match")).contains("*"));

        prefix = "other-" + prefix;
        try (S3ObjectStore elsewhere = open()) {
            put(elsewhere, "a", 4);
        }
        assertThat(probeRequests()).as("another repository in the same cache directory").isEqualTo(3);
        assertThat(Files.getPosixFilePermissions(spool.resolve("pg_wal/.walstow")))
                .as("the directory the cache created").isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    @DisplayName("an answer older than a day, or a cache file that cannot be understood, is probed again")
    void staleOrBrokenAnswerIsProbedAgain() throws Exception {
        try (S3ObjectStore first = open()) {
            assertThat(first.atomicCreate()).isTrue();
        }
        Path file = cache.file(settings().location()).orElseThrow();
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(1).plusMinutes(1))));
        S3.proxy().clearRecorded();
        try (S3ObjectStore second = open()) {
            assertThat(second.atomicCreate()).isTrue();
        }
        assertThat(probeRequests()).as("after a day").isEqualTo(3);

        Files.writeString(file, "maybe\n");
        S3.proxy().clearRecorded();
        try (S3ObjectStore third = open()) {
            assertThat(third.atomicCreate()).isTrue();
        }
        assertThat(probeRequests()).as("after the file was garbled").isEqualTo(3);
        assertThat(Files.readAllLines(file)).first().isEqualTo("if-none-match");
    }

    @Test
    @DisplayName("a store that starts answering 501 to If-None-Match fails that put as retryable, is probed again on "
            + "the next, which falls back to HEAD before PUT; the new answer is cached")
    void notImplementedForgetsTheAnswer() throws Exception {
        try (S3ObjectStore first = open()) {
            assertThat(first.atomicCreate()).isTrue();
        }
        S3.proxy().refuseConditionalWrites(true);
        S3.proxy().clearRecorded();
        try (S3ObjectStore second = open()) {
            assertThatThrownBy(() -> put(second, "x", 5)).isInstanceOfSatisfying(StorageException.class, e -> {
                assertThat(e.kind()).isEqualTo(StorageException.Kind.UNAVAILABLE);
                assertThat(e.getMessage()).contains("NotImplemented", "probed again");
            });
            assertThat(probeRequests()).as("no probe before the refusal").isZero();

            assertThat(put(second, "x", 5)).isEqualTo(new PutResult.Created());
            assertThat(probeRequests()).as("probed again").isPositive();
            assertThat(second.atomicCreate()).isFalse();
            assertThat(putsOf("x").getLast().header("If-None-Match")).isEmpty();
        }
        S3.proxy().clearRecorded();
        try (S3ObjectStore third = open()) {
            assertThat(third.atomicCreate()).as("the new answer, from the cache").isFalse();
            assertThat(put(third, "x", 5)).isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(randomBytes(1000, 5))));
        }
        assertThat(probeRequests()).isZero();
    }
}
