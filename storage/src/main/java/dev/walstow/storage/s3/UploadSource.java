package dev.walstow.storage.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;

/** What is being uploaded, a file or bytes in memory, readable by range so parts can be sent in parallel. */
sealed interface UploadSource {
    long size();

    /** A body for {@code length} bytes from {@code position}; a new one per attempt (the SDK may retry it). */
    AsyncRequestBody body(long position, long length);

    String checksum(S3Settings.Checksum algorithm, long position, long length) throws IOException;

    record File(Path path, long size) implements UploadSource {
        @Override
        public AsyncRequestBody body(long position, long length) {
            return AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder().path(path).position(position)
                    .numBytesToRead(length).chunkSizeInBytes(256 << 10).build());
        }

        @Override
        public String checksum(S3Settings.Checksum algorithm, long position, long length) throws IOException {
            return Checksums.of(algorithm, path, position, length);
        }
    }

    record Bytes(byte[] bytes) implements UploadSource {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public AsyncRequestBody body(long position, long length) {
            // The caller keeps the array unchanged until putIfAbsent returns, so no copy is needed.
            return AsyncRequestBody.fromByteBufferUnsafe(ByteBuffer.wrap(bytes, (int) position, (int) length).slice());
        }

        @Override
        public String checksum(S3Settings.Checksum algorithm, long position, long length) {
            return Checksums.of(algorithm, bytes, (int) position, (int) length);
        }
    }
}
