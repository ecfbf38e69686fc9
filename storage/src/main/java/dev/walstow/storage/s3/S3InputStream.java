package dev.walstow.storage.s3;

import dev.walstow.storage.StorageException;
import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * The body of a GET. The SDK reports failures while streaming (a reset, a read timeout, a checksum mismatch) as
 * unchecked exceptions; the contract says they are the stream's {@link IOException}, as {@link StorageException}s.
 * Closing before the end aborts the connection instead of draining a possibly large rest.
 */
final class S3InputStream extends FilterInputStream {
    private final ResponseInputStream<?> response;
    private final String key;
    private final String location;
    private boolean ended;

    S3InputStream(ResponseInputStream<?> response, String key, String location) {
        super(response);
        this.response = response;
        this.key = key;
        this.location = location;
    }

    @Override
    public int read() throws IOException {
        try {
            int b = super.read();
            ended |= b < 0;
            return b;
        } catch (IOException | RuntimeException e) {
            throw S3Errors.map(e, "read", key, location);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            int n = super.read(b, off, len);
            ended |= n < 0;
            return n;
        } catch (IOException | RuntimeException e) {
            throw S3Errors.map(e, "read", key, location);
        }
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            response.abort();
        }
        try {
            super.close();
        } catch (IOException | RuntimeException e) {
            // Closing an aborted or failed stream: nothing left to release.
        }
    }
}
