package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** The durable file-system steps of a {@link PosixObjectStore}: fsync'd directory creation and content writes. */
final class PosixFiles {
    /** WAL is sensitive even when encrypted, so nothing is world-readable; the group may read (e.g. a backup user). */
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwxr-x---");

    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-r-----");

    /** Writes the content into an open, empty file. */
    @FunctionalInterface
    interface ContentWriter {
        /** @return the metadata of what was written, which names the data file */
        ObjectMeta writeTo(FileChannel target) throws IOException;
    }

    private PosixFiles() {}

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Creates {@code dir} and its missing ancestors below {@code root} (never {@code root} itself: an unmounted
     * repository must fail rather than fill a local directory), fsync'ing each new directory's parent so the new
     * entry survives a crash before the object inside it is reported durable.
     */
    static void createDirectories(Path root, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path current = root;
        for (Path component : root.relativize(dir)) {
            Path next = current.resolve(component);
            if (!Files.isDirectory(next)) {
                try {
                    Files.createDirectory(next, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
                    Files.setPosixFilePermissions(next, DIRECTORY_PERMISSIONS); // the umask may have removed bits
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(next)) {
                        throw e;
                    }
                    // Another writer won the race but may not have fsync'd the parent yet; we are about to report
                    // an object inside it as durable, so fsync it ourselves below.
                }
                fsyncDirectory(current);
            }
            current = next;
        }
    }

    /**
     * Creates {@code file} (which must not exist), writes the content and fsyncs it.
     *
     * @return the content's metadata, as the writer reported it
     */
    static ObjectMeta writeNewFile(Path file, ContentWriter writer) throws IOException {
        try (FileChannel channel = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS))) {
            Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
            ObjectMeta meta = writer.writeTo(channel);
            channel.force(true);
            return meta;
        }
    }

    static ContentWriter bytes(byte[] content, ObjectMeta meta) {
        return target -> {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            return meta;
        };
    }

    /**
     * Content from an {@link ObjectWriter}, through {@code buffer}. A failure of the file wins over whatever the
     * writer made of it (wrapped, or swallowed and carried on): the caller must see the disk's error, and a file
     * that missed bytes must never be published.
     */
    static ContentWriter streamed(ObjectWriter writer, ByteBuffer buffer) {
        return target -> {
            PosixChannelOutput out = new PosixChannelOutput(target, buffer);
            ObjectMeta meta;
            try {
                meta = writer.writeTo(out);
                out.flush();
            } catch (IOException e) {
                throw out.failure() != null ? out.failure() : e;
            } catch (RuntimeException e) {
                // E.g. a codec that fails on its next write to a broken stream: the disk's error is the news.
                if (out.failure() != null) {
                    out.failure().addSuppressed(e);
                    throw out.failure();
                }
                throw e;
            }
            if (out.failure() != null) {
                throw out.failure();
            }
            return Objects.requireNonNull(meta, "the object writer returned no metadata");
        };
    }

    static ContentWriter copyOf(Path source, ObjectMeta meta) {
        return target -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = in.size();
                long position = 0;
                while (position < size) {
                    long n = in.transferTo(position, size - position, target);
                    if (n <= 0) {
                        throw new IOException(source + " shrank while being copied (" + position + " of " + size
                                + " bytes)");
                    }
                    position += n;
                }
            }
            return meta;
        };
    }
}
