package dev.walstow.archive;

import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Marks failures of the local destination (disk full, EIO) as {@link LocalIoError} while a decoder streams into
 * it, so that an {@link IOException} escaping the decoder can only mean the repository read failed. The two need
 * different handling: a torn read is retried, a full pg_wal is not.
 */
final class LocalWriteGuard extends FilterOutputStream {
    private final Path file;

    LocalWriteGuard(OutputStream out, Path file) {
        super(out);
        this.file = file;
    }

    @Override
    public void write(int b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private LocalIoError failure(IOException e) {
        return new LocalIoError("cannot write " + file + ": " + Failures.describe(e),
                "check free space and permissions of pg_wal; nothing was renamed into place", e);
    }
}
