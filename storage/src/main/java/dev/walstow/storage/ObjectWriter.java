package dev.walstow.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces an object's bytes for {@link ObjectStore#putIfAbsent(String, ObjectWriter)} and tells its metadata, which
 * a caller that encodes while it writes knows only at the end (the SHA-256 and size of the plaintext).
 */
@FunctionalInterface
public interface ObjectWriter {

    /**
     * Writes the whole object to {@code out}. A store calls this at most once per put, and not at all if the key is
     * already taken; a caller that retries a failed put calls it again, so it must be able to start over (e.g.
     * re-open its source).
     *
     * @param out the store's stream; closing it is not needed (and harmless), using it after returning is a bug
     * @return the metadata of exactly the bytes written
     * @throws IOException a failure to produce or write the bytes, which the store reports as a
     *     {@link StorageException}. A failure of {@code out} itself is reported as that failure even if the writer
     *     wraps or swallows it. A writer that reads a source of its own (a local file) should report that source's
     *     failures unchecked, in its own terms: unchecked exceptions reach the caller of {@code putIfAbsent}
     *     unchanged, and the store is left as if the put had not happened.
     */
    ObjectMeta writeTo(OutputStream out) throws IOException;
}
