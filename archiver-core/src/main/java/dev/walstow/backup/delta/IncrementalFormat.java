package dev.walstow.backup.delta;

import dev.walstow.error.DataError;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
    static final byte[] MAGIC = "WSINCR01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int END = 0xFFFFFFFF;
    public static final int HEADER_BYTES = 12;
    public static final int TRAILER_BYTES = 20;

    private IncrementalFormat() {}

    /** One block: its number within the file and its bytes. */
    public record Block(int number, byte[] bytes) {}

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

    /** Reads an object's blocks in order, checking each block's CRC and the trailer. */
    public static final class Reader {
        private final DataInputStream in;
        private final String name;
        private final int blockSize;
        private int count;
        private int previous = -1;
        private long length = -1;

        /** @param name the object, for messages */
        public Reader(InputStream in, String name) throws IOException {
            this.in = new DataInputStream(in);
            this.name = name;
            byte[] magic = new byte[MAGIC.length];
            readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw damaged("it does not start with " + new String(MAGIC, java.nio.charset.StandardCharsets.US_ASCII));
            }
            this.blockSize = readInt();
            if (blockSize < 512 || blockSize > (1 << 20) || Integer.bitCount(blockSize) != 1) {
                throw damaged("block size " + blockSize);
            }
        }

        public int blockSize() {
            return blockSize;
        }

        /** The next block (its bytes checked), or null after the trailer, which is checked too. */
        public Block next() throws IOException {
            int number = readInt();
            if (number == END) {
                int stored = readInt();
                long fileLength = in.readLong();
                int crc = readInt();
                byte[] check = trailer(stored, fileLength);
                if (stored != count || ByteBuffer.wrap(check, 16, 4).getInt() != crc) {
                    throw damaged("its trailer does not match its " + count + " blocks");
                }
                if (in.read() != -1) {
                    throw damaged("bytes follow its trailer");
                }
                length = fileLength;
                return null;
            }
            if (Integer.compareUnsigned(number, previous) <= 0 && previous >= 0) {
                throw damaged("block " + Integer.toUnsignedString(number) + " follows block " + previous);
            }
            int crc = readInt();
            byte[] block = new byte[blockSize];
            readFully(block);
            CRC32C actual = new CRC32C();
            actual.update(block);
            if ((int) actual.getValue() != crc) {
                throw damaged("block " + number + " fails its CRC-32C");
            }
            previous = number;
            count++;
            return new Block(number, block);
        }

        /** The file's length after restore; known once {@link #next} returned null. */
        public long fileLength() {
            if (length < 0) {
                throw new IllegalStateException("the trailer was not read yet");
            }
            return length;
        }

        private int readInt() throws IOException {
            try {
                return in.readInt();
            } catch (EOFException e) {
                throw damaged("it ends early");
            }
        }

        private void readFully(byte[] b) throws IOException {
            try {
                in.readFully(b);
            } catch (EOFException e) {
                throw damaged("it ends early");
            }
        }

        private DataError damaged(String what) {
            return DataError.integrity(name + " is not a valid incremental object: " + what,
                    "the object is damaged; run walstow verify and restore another backup (--set)", null);
        }
    }
}
