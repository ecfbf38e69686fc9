package dev.walstow.storage;

import java.util.regex.Pattern;

/**
 * What walstow keeps beside every object, readable without decrypting it: the SHA-256 and size of the original
 * (plaintext, uncompressed) bytes, and the codec that produced the stored bytes. The archiving host has only a
 * public key, so a duplicate push can be told apart from an identical re-push only through this checksum.
 *
 * @param sha256 lower-case hex SHA-256 of the original bytes (64 characters)
 * @param plainSize size of the original bytes
 * @param codec how the stored bytes were made, e.g. {@code zstd}, {@code zstd+openpgp}, {@code plain}
 */
public record ObjectMeta(String sha256, long plainSize, String codec) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CODEC = Pattern.compile("[a-z0-9][a-z0-9+]{0,31}");

    public ObjectMeta {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex characters: " + sha256);
        }
        if (plainSize < 0) {
            throw new IllegalArgumentException("plainSize must be >= 0: " + plainSize);
        }
        if (codec == null || !CODEC.matcher(codec).matches()) {
            throw new IllegalArgumentException("codec must match " + CODEC + ": " + codec);
        }
    }

    /** Metadata for raw bytes, stored as-is (codec {@code plain}). */
    public static ObjectMeta ofPlain(byte[] content) {
        return new ObjectMeta(Sha256.hex(content), content.length, "plain");
    }
}
