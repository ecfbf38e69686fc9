package dev.walstow.storage;

import java.io.IOException;
import java.io.InputStream;

/**
 * An object opened for reading. Close it to release the file handle or connection.
 *
 * @param meta the object's metadata
 * @param storedSize size of the stored (compressed/encrypted) bytes
 * @param content the stored bytes
 */
public record StoredObject(ObjectMeta meta, long storedSize, InputStream content) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        content.close();
    }
}
