package dev.walstow.storage.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an {@link S3ObjectStore} needs, validated by the configuration loader (docs/configuration.md documents
 * each field as a {@code [repository]} key). Holds no secret: a static secret key is named by a file path.
 *
 * @param bucket bucket name
 * @param prefix key prefix inside the bucket, empty or ending in {@code /}
 * @param region signing region (any value for stores that ignore it, e.g. MinIO)
 * @param endpoint endpoint override (MinIO, Ceph RGW, R2, s3proxy); empty: AWS's endpoint for the region
 * @param pathStyle {@code https://host/bucket/key} instead of {@code https://bucket.host/key}
 * @param credentials where the access keys come from
 * @param encryption server-side encryption asked for on every write
 * @param storageClass storage class for new objects; empty: the bucket's default
 * @param checksum request checksum sent with every upload and verified by the store
 * @param conditionalWrite how create-only puts are made
 * @param timeouts bounds on connecting, reading and each call
 * @param sdkAttempts tries of one request inside the SDK (fast retries of 5xx, SlowDown, resets); walstow's own
 *     {@code [retry]} repeats the whole operation on top of this
 * @param maxConcurrency connections to the store (upload/download workers and multipart parts share them)
 * @param multipartThreshold objects of this size or larger are uploaded in parts
 * @param partSize size of one part of a multipart upload (at least 5 MiB, the S3 minimum)
 */
public record S3Settings(
        String bucket,
        String prefix,
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        Credentials credentials,
        Encryption encryption,
        Optional<String> storageClass,
        Checksum checksum,
        ConditionalWrite conditionalWrite,
        Timeouts timeouts,
        int sdkAttempts,
        int maxConcurrency,
        long multipartThreshold,
        long partSize) {

    public static final long MIN_PART_SIZE = 5L << 20;

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must be empty or end with /: " + prefix);
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB: " + partSize);
        }
        if (sdkAttempts < 1 || maxConcurrency < 1) {
            throw new IllegalArgumentException("sdkAttempts and maxConcurrency must be >= 1");
        }
    }

    /** Defaults for everything but where the store is and who we are (used by tests and as the config defaults). */
    public static S3Settings of(String bucket, String prefix, String region, Optional<URI> endpoint,
            boolean pathStyle, Credentials credentials) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, new Encryption.None(),
                Optional.empty(), Checksum.CRC32C, ConditionalWrite.AUTO, Timeouts.DEFAULT, 3, 32, 64L << 20,
                16L << 20);
    }

    public S3Settings withTimeouts(Timeouts t) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, encryption, storageClass,
                checksum, conditionalWrite, t, sdkAttempts, maxConcurrency, multipartThreshold, partSize);
    }

    public S3Settings withMultipart(long threshold, long part) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, encryption, storageClass,
                checksum, conditionalWrite, timeouts, sdkAttempts, maxConcurrency, threshold, part);
    }

    public S3Settings withWriteOptions(Encryption sse, Optional<String> objectStorageClass) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, sse, objectStorageClass,
                checksum, conditionalWrite, timeouts, sdkAttempts, maxConcurrency, multipartThreshold, partSize);
    }

    public S3Settings withConditionalWrite(ConditionalWrite mode) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, encryption, storageClass,
                checksum, mode, timeouts, sdkAttempts, maxConcurrency, multipartThreshold, partSize);
    }

    public S3Settings withSdkAttempts(int attempts) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, encryption, storageClass,
                checksum, conditionalWrite, timeouts, attempts, maxConcurrency, multipartThreshold, partSize);
    }

    /** Where credentials come from. */
    public sealed interface Credentials {
        /**
         * The AWS default chain: environment, Java system properties, web identity token (EKS/IRSA), the shared
         * profile files, the container endpoint (ECS), then the EC2 instance metadata service (IMDS).
         *
         * @param profile profile name in ~/.aws/config and ~/.aws/credentials; empty: AWS_PROFILE or "default"
         * @param instanceMetadata false skips IMDS, so a host without credentials fails at once instead of waiting
         *     for a metadata service that is not there
         */
        record Chain(Optional<String> profile, boolean instanceMetadata) implements Credentials {}

        /** A fixed key pair; the secret is read from a file (first line), never from the configuration. */
        record Static(String accessKeyId, Path secretAccessKeyFile) implements Credentials {}

        /** A fixed key pair already in memory (tests, and {@link Static} once read). Never logged. */
        record Literal(String accessKeyId, String secretAccessKey) implements Credentials {
            @Override
            public String toString() {
                return "Literal[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
            }
        }

        /** Only AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN). */
        record Environment() implements Credentials {}

        /** Only the named profile of the shared files. */
        record Profile(String name) implements Credentials {}

        /** Only the web identity token (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), through STS. */
        record WebIdentity() implements Credentials {}

        /** Only the container endpoint or the EC2 instance metadata service. */
        record Instance() implements Credentials {}
    }

    /** Server-side encryption of new objects. */
    public sealed interface Encryption {
        record None() implements Encryption {}

        /** SSE-S3: keys managed by the store ({@code AES256}). */
        record S3Managed() implements Encryption {}

        /** SSE-KMS with the given key id or ARN; empty: the account's default KMS key. */
        record Kms(Optional<String> keyId) implements Encryption {}
    }

    /** Checksum sent with each upload ({@code x-amz-checksum-*}), so a corrupted transfer is rejected by the store. */
    public enum Checksum { CRC32C, SHA256 }

    /** How "create only if absent" is made. */
    public enum ConditionalWrite {
        /** Probe once whether the store honours {@code If-None-Match: *}; use it if so, else {@link #HEAD_CHECK}. */
        AUTO,
        /** Always {@code If-None-Match: *} (atomic: AWS S3 since 2024, MinIO, recent Ceph RGW, R2, s3proxy). */
        IF_NONE_MATCH,
        /** HEAD, then PUT if absent: two writers racing on one key can both "win" (the last one stays). */
        HEAD_CHECK
    }

    /**
     * @param connect TCP (and TLS) connection set-up
     * @param read longest silence while waiting for response bytes (a stalled connection fails after this)
     * @param attempt one HTTP request, start to end (for streaming downloads: until the headers arrive)
     * @param call one SDK call with all its SDK-level retries
     */
    public record Timeouts(Duration connect, Duration read, Duration attempt, Duration call) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(20),
                Duration.ofSeconds(30), Duration.ofSeconds(55));

        public Timeouts {
            if (call.compareTo(attempt) < 0) {
                throw new IllegalArgumentException("call timeout must not be shorter than the attempt timeout");
            }
        }
    }

    /** For messages: never contains credentials. */
    public String location() {
        return "s3://" + bucket + "/" + prefix + endpoint.map(e -> " at " + e).orElse("");
    }
}
