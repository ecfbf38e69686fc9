package dev.walstow.codec;

/**
 * What went through the codec.
 *
 * @param sha256Hex  SHA-256 of the plaintext, lower-case hex
 * @param plainSize  bytes of plaintext
 * @param storedSize bytes of the stored object
 */
public record CodecResult(String sha256Hex, long plainSize, long storedSize) {}
