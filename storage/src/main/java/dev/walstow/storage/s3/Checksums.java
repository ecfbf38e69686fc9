package dev.walstow.storage.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Request checksums, computed before sending so they travel in a header the store verifies against the bytes it
 * received ({@code x-amz-checksum-crc32c} / {@code -sha256}). Computed by walstow rather than streamed as an
 * aws-chunked trailer: headers work with every S3-compatible store, trailers do not.
 */
final class Checksums {
    private static final int BUFFER = 1 << 20;

    private Checksums() {}

    static String of(S3Settings.Checksum algorithm, byte[] bytes, int offset, int length) {
        Sum sum = Sum.of(algorithm);
        sum.update(ByteBuffer.wrap(bytes, offset, length));
        return sum.base64();
    }

    static String of(S3Settings.Checksum algorithm, Path file, long position, long length) throws IOException {
        Sum sum = Sum.of(algorithm);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(1, length)));
            long done = 0;
            while (done < length) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
                int n = ch.read(buffer, position + done);
                if (n < 0) {
                    throw new IOException(file + " shrank while being uploaded");
                }
                buffer.flip();
                sum.update(buffer);
                done += n;
            }
        }
        return sum.base64();
    }

    private interface Sum {
        void update(ByteBuffer b);

        String base64();

        static Sum of(S3Settings.Checksum algorithm) {
            return switch (algorithm) {
                case CRC32C -> {
                    CRC32C crc = new CRC32C();
                    yield new Sum() {
                        public void update(ByteBuffer b) {
                            crc.update(b);
                        }

                        public String base64() {
                            return Base64.getEncoder().encodeToString(
                                    ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
                        }
                    };
                }
                case SHA256 -> {
                    MessageDigest md = sha256();
                    yield new Sum() {
                        public void update(ByteBuffer b) {
                            md.update(b);
                        }

                        public String base64() {
                            return Base64.getEncoder().encodeToString(md.digest());
                        }
                    };
                }
            };
        }
    }

    private static MessageDigest sha256() {
        return dev.walstow.storage.Sha256.digest();
    }
}
