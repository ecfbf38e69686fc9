package dev.walstow.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.walstow.error.DataError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes exactly one zstd frame. Not {@code ZstdInputStream}: that one silently continues into whatever follows a
 * frame (concatenated or skippable frames), while an object is exactly one frame and anything after it means the
 * object is not what was written. The streaming context reports the frame end, so the rest can be checked.
 */
final class ZstdFrameDecoder {
    /** Frame_Header_Descriptor bit 2 (RFC 8878, 3.1.1.1.1.4): the frame ends with a checksum of its content. */
    private static final int CONTENT_CHECKSUM_FLAG = 0x04;
    private static final int FRAME_HEADER_DESCRIPTOR = 4;
    static final byte[] MAGIC = {(byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD};

    private final InputStream in;
    private final int bufferSize;
    private final byte[] head;

    private ZstdFrameDecoder(InputStream in, int bufferSize, byte[] head) {
        this.in = in;
        this.bufferSize = bufferSize;
        this.head = head;
    }

    /** Reads the start of the frame header; nothing is decoded yet. */
    static ZstdFrameDecoder open(InputStream in, int bufferSize) throws IOException {
        return new ZstdFrameDecoder(in, bufferSize, in.readNBytes(FRAME_HEADER_DESCRIPTOR + 1));
    }

    /**
     * Whether the frame ends with a content checksum (the low 32 bits of XXH64 of the plaintext), which libzstd
     * verifies before it reports the frame complete. walstow always writes one.
     */
    boolean checksummed() {
        return head.length > FRAME_HEADER_DESCRIPTOR && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                && (head[FRAME_HEADER_DESCRIPTOR] & CONTENT_CHECKSUM_FLAG) != 0;
    }

    /** Decodes the frame into {@code out}, then checks that nothing follows it. */
    void decodeTo(OutputStream out) throws IOException {
        // Direct buffers are what the streaming JNI API takes; the copies in and out are memcpy-cheap next to
        // decompression itself.
        ByteBuffer src = ByteBuffer.allocateDirect(Math.max(bufferSize, head.length));
        src.put(head).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(bufferSize);
        byte[] inBytes = new byte[bufferSize];
        byte[] outBytes = new byte[bufferSize];
        boolean eof = false;
        try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
            while (true) {
                if (!src.hasRemaining() && !eof) {
                    int n = in.read(inBytes);
                    if (n < 0) {
                        eof = true;
                    } else {
                        src.clear();
                        src.put(inBytes, 0, n).flip();
                    }
                }
                boolean frameDone = ctx.decompressDirectByteBufferStream(dst, src);
                int produced = dst.position();
                if (produced > 0) {
                    dst.flip();
                    dst.get(outBytes, 0, produced);
                    dst.clear();
                    out.write(outBytes, 0, produced);
                }
                if (frameDone) {
                    break;
                }
                // At end of input with nothing left to flush, the frame is incomplete.
                if (eof && !src.hasRemaining() && produced == 0) {
                    throw DataError.integrity("Stored object is truncated: its zstd frame ends early.",
                            "fetch it again; if it persists run walstow verify", null);
                }
            }
        }
        if (src.hasRemaining() || in.read() >= 0) {
            throw DataError.integrity("Stored object has unexpected data after its zstd frame.",
                    "fetch it again; if it persists run walstow verify", null);
        }
    }
}
