package dev.walstow.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Content and assertions shared by the storage tests. */
public final class StoreFixtures {
    private StoreFixtures() {}

    /** Reproducible, incompressible bytes (a filesystem or backend that compresses must still store them all). */
    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the whole object, checking that the announced stored size is what the stream delivers. */
    public static byte[] content(Optional<StoredObject> object) {
        assertThat(object).as("object").isPresent();
        try (StoredObject stored = object.get(); InputStream in = stored.content()) {
            byte[] bytes = in.readAllBytes();
            assertThat(bytes.length).as("bytes read versus storedSize").isEqualTo(stored.storedSize());
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compares by digest: a failing comparison of 20 MiB arrays would print them. */
    public static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        assertThat(sha256(actual)).as("sha256 of content").isEqualTo(sha256(expected));
    }
}
