package dev.walstow.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/** Shared fixtures: data shapes and one generated key pair per JVM (key generation is the slow part). */
final class TestData {
    static final char[] KEY_PASSPHRASE = "correct horse battery staple".toCharArray();

    private TestData() {}

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** WAL-like: long runs of zeros and repeated records with some noise, compresses well. */
    static byte[] compressible(int size, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i += 64) {
            if (r.nextInt(4) == 0) {
                for (int j = i; j < Math.min(size, i + 8); j++) {
                    b[j] = (byte) r.nextInt(256);
                }
            } else if (r.nextBoolean()) {
                for (int j = i; j < Math.min(size, i + 64); j++) {
                    b[j] = (byte) ("record-" + (i % 4096)).charAt(j % 7);
                }
            }
        }
        return b;
    }

    static byte[] encode(WalCodec codec, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.encode(new ByteArrayInputStream(plain), out);
        return out.toByteArray();
    }

    static byte[] decode(WalCodec codec, byte[] stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.decode(new ByteArrayInputStream(stored), out);
        return out.toByteArray();
    }

    static WalCodec codec(Encryption e) {
        return new WalCodec(new CodecSettings(3, e));
    }

    /** A fresh key pair made by {@link KeyGenerator}, protected by {@link #KEY_PASSPHRASE}. */
    record KeyPair(Path publicKey, Path secretKey) {
        Encryption.PublicKey encryption() {
            return new Encryption.PublicKey(OpenPgpKeys.readRecipient(publicKey),
                    Optional.of(OpenPgpKeys.readSecret(secretKey, Optional.of(KEY_PASSPHRASE))));
        }

        Encryption.PublicKey encryptOnly() {
            return new Encryption.PublicKey(OpenPgpKeys.readRecipient(publicKey), Optional.empty());
        }
    }

    /** Mode 0600, as walstow requires of a secret key or passphrase file (KeyFilePermissions). */
    static Path ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static KeyPair generate(Path dir, String name, Optional<char[]> passphrase) {
        Path pub = dir.resolve(name + ".pub.asc");
        Path sec = dir.resolve(name + ".sec.asc");
        KeyGenerator.generate("walstow test <" + name + "@example.org>", passphrase, pub, sec);
        return new KeyPair(pub, sec);
    }
}
