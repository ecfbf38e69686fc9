package dev.walstow.codec;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Byte-counting wrappers for the caller's streams that also remember whether the caller's stream itself failed.
 *
 * <p>Why: Bouncy Castle and zstd-jni report damaged data as {@link IOException} too. When decoding fails, walstow
 * must tell a broken repository connection or a full local disk (the caller's stream threw; retry or fix the
 * disk) from damaged bytes ({@code DataError.integrity}). Neither wrapper closes the caller's stream: the caller
 * owns it.
 */
final class GuardedStreams {
    private GuardedStreams() {}

    static final class In extends InputStream {
        private final InputStream in;
        private long count;
        private IOException failure;

        In(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = in.read();
                if (b >= 0) {
                    count++;
                }
                return b;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    count += n;
                }
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() {
            // the caller owns the stream
        }

        long count() {
            return count;
        }

        IOException failure() {
            return failure;
        }
    }

    static final class Out extends FilterOutputStream {
        private long count;
        private IOException failure;

        Out(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
                count++;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        // FilterOutputStream's default writes byte by byte: forward the whole array instead.
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
                count += len;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void close() {
            // the caller owns the stream
        }

        long count() {
            return count;
        }

        IOException failure() {
            return failure;
        }
    }
}
