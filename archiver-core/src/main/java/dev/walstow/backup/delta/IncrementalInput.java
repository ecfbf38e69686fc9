package dev.walstow.backup.delta;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The plaintext of one incremental object ({@link IncrementalFormat}), produced while the range of the data file is
 * read: the codec encodes it as it is read, so memory use is a chunk of blocks whatever the file's size.
 *
 * <p>Two ways to choose the blocks. {@link #scan} reads every block of the range and keeps those that may have
 * changed since the reference backup started ({@link PageLsn#mayHaveChanged}) or lie past the reference's length.
 * {@link #listed} reads only the blocks a WAL summary names.
 */
public final class IncrementalInput extends InputStream {
    private static final int CHUNK_BLOCKS = 32;

    private final FileChannel channel;
    private final long offset;
    private final long limit;
    private final int blockSize;
    private final Selector selector;
    private byte[] current;
    private int position;
    private boolean trailerDone;
    private int blocks;
    private long bytesRead;
    private long end;

    private interface Selector {
        /** The next record's bytes, or null when the range is done. */
        byte[] next(IncrementalInput in) throws IOException;
    }

    private IncrementalInput(FileChannel channel, long offset, long limit, int blockSize, Selector selector) {
        this.channel = channel;
        this.offset = offset;
        this.limit = rangeEnd(offset, limit) - offset;
        this.blockSize = blockSize;
        this.selector = selector;
        this.current = IncrementalFormat.header(blockSize);
    }

    /**
     * Every block of {@code [offset, offset + limit)}, keeping those whose page LSN is at or after {@code since},
     * whose header cannot be trusted (new, zeroed or damaged pages), those at or past {@code referenceBlocks}, and
     * pages marked all-visible for which {@code allVisibleSuspect} (block numbers within the file) says the mark may
     * be new ({@link VisibilityMapRanges}).
     */
    public static IncrementalInput scan(FileChannel channel, long offset, long limit, int blockSize,
            long referenceBlocks, long since, java.util.function.LongPredicate allVisibleSuspect) {
        return new IncrementalInput(channel, offset, limit, blockSize, new Selector() {
            private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BLOCKS * blockSize);
            private long at = offset;
            private long chunkStart;
            private int index;
            private int blocksInChunk;

            @Override
            public byte[] next(IncrementalInput in) throws IOException {
                while (true) {
                    if (index >= blocksInChunk && !fill(in)) {
                        return null;
                    }
                    int off = index * blockSize;
                    long number = chunkStart / blockSize + index;
                    index++;
                    byte[] page = chunk.array();
                    if (number >= referenceBlocks || PageLsn.mayHaveChanged(page, off, blockSize, since)
                            || PageLsn.allVisible(page, off) && allVisibleSuspect.test(number)) {
                        return IncrementalFormat.record((int) number, chunk.array(), off, blockSize);
                    }
                }
            }

            private boolean fill(IncrementalInput in) throws IOException {
                long rangeEnd = rangeEnd(offset, limit);
                if (at >= rangeEnd) {
                    return false;
                }
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), rangeEnd - at));
                while (chunk.hasRemaining() && channel.read(chunk, at + chunk.position()) >= 0) {
                    // read until the chunk is full or the file ends
                }
                int got = chunk.position();
                if (got == 0) {
                    return false;
                }
                // A trailing partial block (the file is being extended) is padded with zeros; the length says where
                // the file ends, and WAL replay writes the block.
                blocksInChunk = (got + blockSize - 1) / blockSize;
                java.util.Arrays.fill(chunk.array(), got, blocksInChunk * blockSize, (byte) 0);
                chunkStart = at;
                at += got;
                in.bytesRead += got;
                in.end = at;
                index = 0;
                return true;
            }
        });
    }

    /** Only the blocks numbered in {@code numbers} (ascending, numbers within this file) that lie in the range. */
    public static IncrementalInput listed(FileChannel channel, long offset, long limit, int blockSize, int[] numbers) {
        return new IncrementalInput(channel, offset, limit, blockSize, new Selector() {
            private final ByteBuffer block = ByteBuffer.allocate(blockSize);
            private int index;

            @Override
            public byte[] next(IncrementalInput in) throws IOException {
                long size = channel.size();
                long rangeEnd = Math.min(size, rangeEnd(offset, limit));
                in.end = Math.max(in.end, rangeEnd);
                while (index < numbers.length) {
                    long number = numbers[index++] & 0xFFFFFFFFL;
                    long at = number * blockSize;
                    if (at < offset || at >= rangeEnd) {
                        continue;
                    }
                    block.clear();
                    while (block.hasRemaining()) {
                        if (channel.read(block, at + block.position()) < 0) {
                            break;
                        }
                    }
                    in.bytesRead += block.position();
                    java.util.Arrays.fill(block.array(), block.position(), blockSize, (byte) 0);
                    return IncrementalFormat.record((int) number, block.array(), 0, blockSize);
                }
                return null;
            }
        });
    }

    /** {@code offset + limit}, without overflowing for the last part's "to the end" ({@code Long.MAX_VALUE}). */
    private static long rangeEnd(long offset, long limit) {
        return offset + Math.min(limit, Long.MAX_VALUE - offset);
    }

    /** Blocks written so far (all of them once the stream is read to its end). */
    public int blocks() {
        return blocks;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** Where the range's data ended when it was read: the file's length if this is its last range. */
    public long end() {
        return end;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position >= current.length) {
            if (trailerDone) {
                return -1;
            }
            byte[] record = selector.next(this);
            if (record == null) {
                current = IncrementalFormat.trailer(blocks, end);
                trailerDone = true;
            } else {
                current = record;
                blocks++;
            }
            position = 0;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
