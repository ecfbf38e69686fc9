package dev.walstow.storage.s3;

import static dev.walstow.storage.StoreFixtures.assertSameBytes;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Server-side encryption and storage class, checked on the wire: {@link FaultProxy} records the head of every
 * request between the store and s3proxy.
 *
 * <p>s3proxy's disk store refuses SSE headers with 501 and cannot encrypt; stripping them in the proxy would break
 * the request signature (SigV4 signs every {@code x-amz-*} header). So s3proxy runs with SSE declared supported
 * ({@link S3ProxyServer#startAcceptingSse}): it checks the headers as S3 does and answers every request itself,
 * unencrypted. What is asserted is what S3 would receive, request by request.
 */
class S3WriteOptionsTest {
    private static final String SSE = "x-amz-server-side-encryption";
    private static final String KMS_KEY = "x-amz-server-side-encryption-aws-kms-key-id";
    private static final String STORAGE_CLASS = "x-amz-storage-class";
    /** The operations that create an object, and the only ones S3 takes these options on. */
    private static final Set<String> CREATING = Set.of("PutObject", "CreateMultipartUpload");

    @RegisterExtension
    static final ProxiedS3 S3 = ProxiedS3.acceptingSseWithBucket("options");

    @BeforeEach
    void record() {
        S3.proxy().record(true);
    }

    static Stream<Arguments> options() {
        String arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        return Stream.of(
                Arguments.of("nothing configured", new S3Settings.Encryption.None(), Optional.empty(), Map.of()),
                Arguments.of("SSE-S3", new S3Settings.Encryption.S3Managed(), Optional.empty(),
                        Map.of(SSE, "AES256")),
                Arguments.of("SSE-KMS with a key id and STANDARD_IA", new S3Settings.Encryption.Kms(Optional.of(arn)),
                        Optional.of("STANDARD_IA"), Map.of(SSE, "aws:kms", KMS_KEY, arn, STORAGE_CLASS, "STANDARD_IA")),
                Arguments.of("SSE-KMS with the account's default key", new S3Settings.Encryption.Kms(Optional.empty()),
                        Optional.empty(), Map.of(SSE, "aws:kms")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    @DisplayName("PutObject and CreateMultipartUpload carry exactly the configured SSE and storage class headers, "
            + "every other request none of them")
    void headersOnTheWire(String name, S3Settings.Encryption sse, Optional<String> storageClass,
            Map<String, String> expected, @TempDir Path tmp) throws Exception {
        byte[] small = randomBytes(10_000, 1);
        byte[] large = randomBytes(11 << 20, 2);
        Path file = Files.write(tmp.resolve("large"), large);
        try (S3ObjectStore store = S3ObjectStore.open(settings(sse, storageClass))) {
            assertThat(store.putIfAbsent("wal/small", small, ObjectMeta.ofPlain(small)))
                    .isEqualTo(new PutResult.Created());
            assertThat(store.putIfAbsent("backup/large", file, ObjectMeta.ofPlain(large)))
                    .isEqualTo(new PutResult.Created());
            assertSameBytes(content(store.get("wal/small")), small);
            assertThat(store.head("backup/large")).contains(ObjectMeta.ofPlain(large));
        }
        List<RecordedRequest> requests = S3.proxy().recorded();
        assertThat(requests).extracting(RecordedRequest::operation).as("what the store sent")
                .contains("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
                        "GetObject", "HeadObject");
        assertThat(requests.stream().filter(r -> r.operation().equals("PutObject")).map(RecordedRequest::path))
                .as("the probe's two PUTs and the small object")
                .hasSize(3).anyMatch(p -> p.contains("/.walstow-probe/")).anyMatch(p -> p.endsWith("/wal/small"));
        assertThat(requests.stream().filter(r -> r.operation().equals("UploadPart"))).as("3 parts of 5 MiB").hasSize(3);
        for (RecordedRequest r : requests) {
            if (CREATING.contains(r.operation())) {
                assertThat(r.header(SSE)).as("%s in %s", SSE, r).isEqualTo(Optional.ofNullable(expected.get(SSE)));
                assertThat(r.header(KMS_KEY)).as("%s in %s", KMS_KEY, r)
                        .isEqualTo(Optional.ofNullable(expected.get(KMS_KEY)));
                assertThat(r.header(STORAGE_CLASS)).as("%s in %s", STORAGE_CLASS, r)
                        .isEqualTo(Optional.ofNullable(expected.get(STORAGE_CLASS)));
            } else {
                assertThat(r.headersStartingWith(SSE)).as("SSE headers in %s", r).isEmpty();
                assertThat(r.header(STORAGE_CLASS)).as("storage class in %s", r).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("a storage class the SDK does not know (a Ceph RGW placement) is sent as written, and a store that "
            + "refuses it fails the put with the store's error, not taken for \"no conditional writes\"")
    void unknownStorageClassSentAsWritten() throws Exception {
        byte[] bytes = randomBytes(1000, 3);
        try (S3ObjectStore store = S3ObjectStore.open(settings(new S3Settings.Encryption.None(),
                Optional.of("COLD_HDD")))) {
            // s3proxy knows only AWS's classes and answers 400 InvalidStorageClass, as AWS would.
            assertThatThrownBy(() -> store.putIfAbsent("wal/x", bytes, ObjectMeta.ofPlain(bytes)))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getMessage())
                            .contains("probe conditional writes", "InvalidStorageClass"));
        }
        List<RecordedRequest> requests = S3.proxy().recorded();
        assertThat(requests).filteredOn(r -> r.operation().equals("PutObject")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header(STORAGE_CLASS)).contains("COLD_HDD"));
        assertThat(requests).extracting(RecordedRequest::operation).as("no fall-back to HEAD before PUT")
                .doesNotContain("HeadObject");
    }

    private S3Settings settings(S3Settings.Encryption sse, Optional<String> storageClass) {
        return S3.settings().withMultipart(6L << 20, 5L << 20).withWriteOptions(sse, storageClass);
    }
}
