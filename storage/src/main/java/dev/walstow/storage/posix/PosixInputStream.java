package dev.walstow.storage.posix;

import dev.walstow.storage.StorageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/** The content of a posix object; read errors become {@link StorageException}s naming the key and repository. */
final class PosixInputStream extends FilterInputStream {
    private final Function<IOException, StorageException> mapper;

    PosixInputStream(InputStream in, Function<IOException, StorageException> mapper) {
        super(in);
        this.mapper = mapper;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw mapper.apply(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            throw mapper.apply(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw mapper.apply(e);
        }
    }
}
