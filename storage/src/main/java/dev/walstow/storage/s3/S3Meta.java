package dev.walstow.storage.s3;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * {@link ObjectMeta} as S3 user metadata ({@code x-amz-meta-walstow-sha256}, {@code -plain-size}, {@code -codec}),
 * and the per-object write options (server-side encryption, storage class).
 */
final class S3Meta {
    static final String SHA256 = "walstow-sha256";
    static final String PLAIN_SIZE = "walstow-plain-size";
    static final String CODEC = "walstow-codec";

    private S3Meta() {}

    static Map<String, String> toHeaders(ObjectMeta meta) {
        return Map.of(SHA256, meta.sha256(), PLAIN_SIZE, Long.toString(meta.plainSize()), CODEC, meta.codec());
    }

    /** @throws StorageException CORRUPT when the object was not written by walstow (metadata missing or bad) */
    static ObjectMeta fromHeaders(Map<String, String> headers, String key, String location) throws StorageException {
        // Stores differ in the case they return metadata names in; S3 itself lower-cases them.
        String sha = find(headers, SHA256);
        String size = find(headers, PLAIN_SIZE);
        String codec = find(headers, CODEC);
        try {
            return new ObjectMeta(sha, Long.parseLong(String.valueOf(size)), codec);
        } catch (IllegalArgumentException e) {
            throw new StorageException(StorageException.Kind.CORRUPT, "object " + key + " in " + location
                    + " has no valid walstow metadata (x-amz-meta-" + SHA256 + ", -" + PLAIN_SIZE + ", -" + CODEC
                    + "): not written by walstow, or copied without its metadata; found " + headers.keySet(), e);
        }
    }

    private static String find(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * Server-side encryption and storage class, asked for on the requests that create an object: PutObject and
     * CreateMultipartUpload. Never on UploadPart or CompleteMultipartUpload (S3 takes them from the creation and
     * refuses or ignores them there), nor on reads (S3 answers 400 to SSE-S3/KMS headers on GET and HEAD).
     */
    static void options(S3Settings s, PutObjectRequest.Builder b) {
        sse(s).ifPresent(b::serverSideEncryption);
        kmsKeyId(s).ifPresent(b::ssekmsKeyId);
        // As a string: the SDK's enum turns a class it does not know (a Ceph RGW placement, say) into "null".
        s.storageClass().ifPresent(b::storageClass);
    }

    /** As {@link #options(S3Settings, PutObjectRequest.Builder)}, for the start of a multipart upload. */
    static void options(S3Settings s, CreateMultipartUploadRequest.Builder b) {
        sse(s).ifPresent(b::serverSideEncryption);
        kmsKeyId(s).ifPresent(b::ssekmsKeyId);
        s.storageClass().ifPresent(b::storageClass);
    }

    private static Optional<ServerSideEncryption> sse(S3Settings s) {
        return switch (s.encryption()) {
            case S3Settings.Encryption.None n -> Optional.empty();
            case S3Settings.Encryption.S3Managed m -> Optional.of(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> Optional.of(ServerSideEncryption.AWS_KMS);
        };
    }

    private static Optional<String> kmsKeyId(S3Settings s) {
        return s.encryption() instanceof S3Settings.Encryption.Kms k ? k.keyId() : Optional.empty();
    }
}
