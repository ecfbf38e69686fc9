package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The stream a {@link PosixObjectStore} hands to an {@link ObjectWriter}: writes into the put's temporary file
 * through a direct buffer, and remembers its own first failure.
 *
 * <p>Why a direct buffer: a heap array handed to {@link FileChannel#write} is first copied into a temporary direct
 * buffer by the JDK; copying the writer's bytes straight into a direct buffer saves that step, and collecting them
 * turns the writer's many small writes (OpenPGP packet headers, zstd blocks) into few system calls.
 *
 * <p>Why it remembers failures: the codec above it may wrap, or after a failure keep writing into, a broken stream;
 * the store must report the disk's error (e.g. NO_SPACE) and must never publish a file that missed bytes.
 */
final class PosixChannelOutput extends OutputStream {
    /** 256 KiB: a few zstd blocks per system call, and small enough to keep one per concurrent put. */
    static final int BUFFER_SIZE = 256 << 10;

    private final FileChannel channel;
    private final ByteBuffer buffer;
    private IOException failure;

    PosixChannelOutput(FileChannel channel, ByteBuffer buffer) {
        this.channel = channel;
        this.buffer = buffer.clear();
    }

    /** The first failure of the file, if any; once set, every later write fails with it too. */
    IOException failure() {
        return failure;
    }

    @Override
    public void write(int b) throws IOException {
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, buffer.remaining());
            buffer.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    /** Writes out what is buffered; the store calls it once the writer returned, before fsync. */
    @Override
    public void flush() throws IOException {
        drain();
    }

    /** Flushes only: the store owns the channel and still has to fsync it. */
    @Override
    public void close() throws IOException {
        flush();
    }

    private void drain() throws IOException {
        if (failure != null) {
            throw failure;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            buffer.clear();
        }
    }

    /**
     * Direct buffers kept for the next put: allocating one zeroes fresh memory, and page faults are dear on the VMs
     * walstow was measured on. Holds at most as many buffers as puts ever ran at once.
     */
    static final class Buffers {
        private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();

        ByteBuffer take() {
            ByteBuffer b = free.poll();
            return b != null ? b : ByteBuffer.allocateDirect(BUFFER_SIZE);
        }

        void give(ByteBuffer b) {
            free.offer(b);
        }
    }
}
