package dev.walstow.backup.delta;

import dev.walstow.error.DataError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The plaintext of an incremental file's object (stored, like every object, zstd-compressed and OpenPGP-encrypted):
 * the changed blocks of one range of a relation file, each with its block number and checksum, then the file's new
 * length. Every integer is big-endian.
 *
 * <pre>
 * header   8 bytes  magic "WSINCR01"
 *          4 bytes  block size (BLCKSZ, e.g. 8192)
 * block    4 bytes  block number in this file (its bytes are at block number x block size)
 *   ...    4 bytes  CRC-32C of the block's bytes
 *          block size bytes
 * trailer  4 bytes  0xFFFFFFFF (PostgreSQL's InvalidBlockNumber: never a block)
 *          4 bytes  number of blocks above
 *          8 bytes  the file's length after restore
 *          4 bytes  CRC-32C of the 16 trailer bytes before it
 * </pre>
 *
 * Block numbers ascend. A restore checks each block's CRC before writing it, and the whole object's SHA-256 (in the
 * manifest) at its end. docs/disaster-recovery.md shows how to rebuild a file from a chain by hand.
 */
public final class IncrementalFormat {
    static final byte[] MAGIC = "WSINCR01".getBytes(StandardCharsets.US_ASCII);
    static final int END = 0xFFFFFFFF;
    public static final int HEADER_BYTES = 12;
    public static final int TRAILER_BYTES = 20;

    private IncrementalFormat() {}

    /** The size of an object holding {@code blocks} blocks. */
    public static long objectSize(int blocks, int blockSize) {
        return HEADER_BYTES + (long) blocks * (8 + blockSize) + TRAILER_BYTES;
    }

    static byte[] header(int blockSize) {
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(blockSize).array();
    }

    static byte[] record(int number, byte[] block, int off, int blockSize) {
        CRC32C crc = new CRC32C();
        crc.update(block, off, blockSize);
        ByteBuffer b = ByteBuffer.allocate(8 + blockSize);
        b.putInt(number).putInt((int) crc.getValue()).put(block, off, blockSize);
        return b.array();
    }

    static byte[] trailer(int count, long length) {
        ByteBuffer b = ByteBuffer.allocate(TRAILER_BYTES);
        b.putInt(END).putInt(count).putLong(length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Receives an object's blocks, each checked, in ascending order. */
    @FunctionalInterface
    public interface Blocks {
        void accept(int number, byte[] block) throws IOException;
    }

    /**
     * Parses an object as the codec decodes it (push, so that a restore streams it): hands each block to
     * {@code blocks} once its CRC matched, and checks the order, the trailer, and that nothing follows it.
     */
    public static final class Sink extends OutputStream {
        private enum State { HEADER, NUMBER, BLOCK, TRAILER, DONE }

        private final String name;
        private final Blocks blocks;
        private State state = State.HEADER;
        private byte[] buffer = new byte[HEADER_BYTES];
        private int have;
        private int blockSize;
        private int number;
        private long previous = -1;
        private int count;
        private long length = -1;

        /** @param name the object, for messages */
        public Sink(String name, Blocks blocks) {
            this.name = name;
            this.blocks = blocks;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (state == State.DONE) {
                    throw damaged("bytes follow its trailer");
                }
                int n = Math.min(len, buffer.length - have);
                System.arraycopy(b, off, buffer, have, n);
                have += n;
                off += n;
                len -= n;
                if (have == buffer.length) {
                    have = 0;
                    advance();
                }
            }
        }

        private void advance() throws IOException {
            ByteBuffer in = ByteBuffer.wrap(buffer);
            switch (state) {
                case HEADER -> {
                    byte[] magic = new byte[MAGIC.length];
                    in.get(magic);
                    blockSize = in.getInt();
                    if (!Arrays.equals(magic, MAGIC)) {
                        throw damaged("it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII));
                    }
                    if (blockSize < 512 || blockSize > (1 << 20) || Integer.bitCount(blockSize) != 1) {
                        throw damaged("block size " + blockSize);
                    }
                    expect(State.NUMBER, 4);
                }
                case NUMBER -> {
                    number = in.getInt();
                    if (number == END) {
                        expect(State.TRAILER, TRAILER_BYTES - 4);
                    } else {
                        if ((number & 0xFFFFFFFFL) <= previous) {
                            throw damaged("block " + Integer.toUnsignedString(number) + " follows block " + previous);
                        }
                        expect(State.BLOCK, 4 + blockSize);
                    }
                }
                case BLOCK -> {
                    int crc = in.getInt();
                    CRC32C actual = new CRC32C();
                    actual.update(buffer, 4, blockSize);
                    if ((int) actual.getValue() != crc) {
                        throw damaged("block " + Integer.toUnsignedString(number) + " fails its CRC-32C");
                    }
                    blocks.accept(number, Arrays.copyOfRange(buffer, 4, 4 + blockSize));
                    previous = number & 0xFFFFFFFFL;
                    count++;
                    expect(State.NUMBER, 4);
                }
                case TRAILER -> {
                    int stored = in.getInt();
                    long fileLength = in.getLong();
                    int crc = in.getInt();
                    byte[] check = trailer(stored, fileLength);
                    if (stored != count || ByteBuffer.wrap(check, 16, 4).getInt() != crc) {
                        throw damaged("its trailer does not match its " + count + " blocks");
                    }
                    length = fileLength;
                    state = State.DONE;
                }
                case DONE -> throw damaged("bytes follow its trailer");
            }
        }

        private void expect(State next, int bytes) {
            state = next;
            if (buffer.length != bytes) {
                buffer = new byte[bytes];
            }
        }

        /** Blocks received. */
        public int blocks() {
            return count;
        }

        /** The trailer's file length; checks that the object was complete. */
        public long finish() {
            if (state != State.DONE) {
                throw damaged("it ends early");
            }
            return length;
        }

        private DataError damaged(String what) {
            return DataError.integrity(name + " is not a valid incremental object: " + what,
                    "the object is damaged; run walstow verify and restore another backup (--set)", null);
        }
    }
}
