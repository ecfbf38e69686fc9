package dev.walstow.storage.s3;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

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

    static void options(S3Settings s, PutObjectRequest.Builder b) {
        switch (s.encryption()) {
            case S3Settings.Encryption.None n -> { }
            case S3Settings.Encryption.S3Managed m -> b.serverSideEncryption(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> {
                b.serverSideEncryption(ServerSideEncryption.AWS_KMS);
                k.keyId().ifPresent(b::ssekmsKeyId);
            }
        }
        s.storageClass().ifPresent(c -> b.storageClass(StorageClass.fromValue(c)));
    }

    static void options(S3Settings s, CreateMultipartUploadRequest.Builder b) {
        switch (s.encryption()) {
            case S3Settings.Encryption.None n -> { }
            case S3Settings.Encryption.S3Managed m -> b.serverSideEncryption(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> {
                b.serverSideEncryption(ServerSideEncryption.AWS_KMS);
                k.keyId().ifPresent(b::ssekmsKeyId);
            }
        }
        s.storageClass().ifPresent(c -> b.storageClass(StorageClass.fromValue(c)));
    }
}
