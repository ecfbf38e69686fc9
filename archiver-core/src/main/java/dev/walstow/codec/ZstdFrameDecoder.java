package dev.walstow.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.walstow.error.DataError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Decodes exactly one zstd frame. Not {@code ZstdInputStream}: that one silently continues into whatever follows a
 * frame (concatenated or skippable frames), while an object is exactly one frame and anything after it means the
 * object is not what was written. The streaming context reports the frame end, so the rest can be checked.
 */
final class ZstdFrameDecoder {
    private ZstdFrameDecoder() {}

    /** Checks the frame's content checksum (libzstd verifies it when present) and that nothing follows the frame. */
    static void decode(InputStream in, OutputStream out, int bufferSize) throws IOException {
        // Direct buffers are what the streaming JNI API takes; the copies in and out are memcpy-cheap next to
        // decompression itself.
        ByteBuffer src = ByteBuffer.allocateDirect(bufferSize).limit(0);
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
