package dev.walstow.codec;

import java.util.Optional;

/**
 * What went through the codec.
 *
 * @param sha256     SHA-256 of the plaintext, lower-case hex; empty from a decode that was allowed to skip it
 *                   ({@link WalCodec.Digest#UNLESS_INTEGRITY_PROTECTED}) and from
 *                   {@link WalCodec#checkWithoutKey} of an encrypted object
 * @param plainSize  bytes of plaintext; -1 from {@link WalCodec#checkWithoutKey} of an encrypted object
 * @param storedSize bytes of the stored object
 */
public record CodecResult(Optional<String> sha256, long plainSize, long storedSize) {

    CodecResult(String sha256Hex, long plainSize, long storedSize) {
        this(Optional.of(sha256Hex), plainSize, storedSize);
    }

    /** The SHA-256, which every encode and every {@link WalCodec.Digest#ALWAYS} decode computes. */
    public String sha256Hex() {
        return sha256.orElseThrow(() -> new IllegalStateException("this decode did not compute a SHA-256"));
    }
}
