package dev.walstow.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest walstow stores and compares (object metadata, manifests, identities): one place that gets
 * it from the JDK and spells its hex, so every side compares the same lower-case text.
 */
public final class Sha256 {
    private Sha256() {}

    /** A fresh digest for streaming; every JDK has SHA-256, so its absence is a broken runtime, not a user error. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    /** Lower-case hex of the bytes' SHA-256 (64 characters). */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Lower-case hex of the UTF-8 text's SHA-256, cut to its first {@code bytes} bytes (2 hex digits each). */
    public static String hex(String text, int bytes) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)), 0, bytes);
    }

    /** Lower-case hex of the UTF-8 text's full SHA-256. */
    public static String hex(String text) {
        return hex(text, 32);
    }
}
