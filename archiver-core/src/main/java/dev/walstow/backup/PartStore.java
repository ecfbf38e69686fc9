package dev.walstow.backup;

import dev.walstow.agent.Failures;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.repo.BoundRepository;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Stores one part of a file as one object. The part is encoded into a temporary file first and stored from there,
 * not through the streaming put that archive-push uses: S3 buffers a streamed object whole in memory, and parts are
 * up to 256 MiB times {@code [backup] parallelism}; from a file, S3 uploads in parallel parts and memory use is the
 * codec's buffers only, whatever the part size and backend. (On posix this costs a second write of each part.)
 *
 * <p>The part is encoded once and only its put is repeated by {@code retrier} (the backup's one retry layer, handed
 * down by {@link BackupRun}): repeating the whole part would read the data file again, and a file that changed in
 * between (the cluster is running) would turn a retry after a lost reply into a false "different content" refusal.
 */
final class PartStore {
    private final BoundRepository repository;
    private final WalCodec codec;
    private final Retrier retrier;
    private final Path tempDir;
    private final java.util.concurrent.atomic.AtomicLong storedBytes = new java.util.concurrent.atomic.AtomicLong();

    PartStore(BoundRepository repository, Retrier retrier, Path tempDir) {
        this.repository = repository;
        this.codec = repository.codec();
        this.retrier = retrier;
        this.tempDir = tempDir;
    }

    /**
     * Reads up to {@code limit} bytes of {@code source} from {@code offset} (fewer if the file is shorter now) and
     * stores them under {@code key}.
     *
     * @return the stored part, or empty if the file vanished (dropped while the backup ran: WAL replay handles it)
     */
    Optional<BackupManifest.StoredPart> store(String key, Path source, long offset, long limit) {
        Path temp = createTemp();
        try {
            CodecResult encoded;
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                    OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                in.position(offset);
                encoded = codec.encode(new BoundedInput(Channels.newInputStream(in), limit), out);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new LocalIoError("cannot back up " + source + ": " + Failures.describe(e),
                        "check the data directory and [backup] temp-dir (" + tempDir + ", free space)", e);
            }
            ObjectMeta meta = new ObjectMeta(encoded.sha256Hex(), encoded.plainSize(), codec.codecName());
            retrier.call("storing " + key, () -> put(key, temp, meta));
            storedBytes.addAndGet(encoded.storedSize());
            return Optional.of(new BackupManifest.StoredPart(key, offset, encoded.plainSize(), encoded.sha256Hex()));
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover in the temp directory is harmless
            }
        }
    }

    /**
     * What reading one range of a file for an incremental backup found.
     *
     * @param part the stored object, or empty when no block of the range changed (nothing is stored)
     * @param end where the range's data ended (the file's length when this is its last range)
     */
    record Increment(Optional<BackupManifest.StoredPart> part, int blocks, long end, long bytesRead) {}

    /**
     * Stores the changed blocks of {@code [offset, offset + limit)} of {@code source} that {@code blocks} selects, as
     * one {@link dev.walstow.backup.delta.IncrementalFormat} object under {@code key}; stores nothing when none did.
     *
     * @return empty if the file vanished (dropped while the backup ran: WAL replay handles it)
     */
    Optional<Increment> storeIncrement(String key, Path source, long offset,
            java.util.function.Function<FileChannel, dev.walstow.backup.delta.IncrementalInput> blocks) {
        Path temp = createTemp();
        try {
            CodecResult encoded;
            dev.walstow.backup.delta.IncrementalInput input;
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                    OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                input = blocks.apply(in);
                encoded = codec.encode(input, out);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new LocalIoError("cannot back up " + source + ": " + Failures.describe(e),
                        "check the data directory and [backup] temp-dir (" + tempDir + ", free space)", e);
            }
            if (input.blocks() == 0) {
                return Optional.of(new Increment(Optional.empty(), 0, input.end(), input.bytesRead()));
            }
            ObjectMeta meta = new ObjectMeta(encoded.sha256Hex(), encoded.plainSize(), codec.codecName());
            retrier.call("storing " + key, () -> put(key, temp, meta));
            storedBytes.addAndGet(encoded.storedSize());
            return Optional.of(new Increment(Optional.of(new BackupManifest.StoredPart(key, offset,
                    encoded.plainSize(), encoded.sha256Hex(), input.blocks())), input.blocks(), input.end(),
                    input.bytesRead()));
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover in the temp directory is harmless
            }
        }
    }

    /** Bytes of every object stored so far (encoded: compressed and encrypted). */
    long storedBytes() {
        return storedBytes.get();
    }

    /** Stores small bytes (backup_label, tablespace_map) encoded like every data object. */
    BackupManifest.StoredPart storeBytes(String key, byte[] content) {
        Path temp = createTemp();
        try {
            CodecResult encoded;
            try (OutputStream out = Files.newOutputStream(temp)) {
                encoded = codec.encode(new ByteArrayInputStream(content), out);
            } catch (IOException e) {
                throw new LocalIoError("cannot write " + temp + ": " + Failures.describe(e),
                        "check [backup] temp-dir", e);
            }
            ObjectMeta meta = new ObjectMeta(encoded.sha256Hex(), encoded.plainSize(), codec.codecName());
            retrier.call("storing " + key, () -> put(key, temp, meta));
            storedBytes.addAndGet(encoded.storedSize());
            return new BackupManifest.StoredPart(key, 0, encoded.plainSize(), encoded.sha256Hex());
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // harmless
            }
        }
    }

    private Path createTemp() {
        try {
            return Files.createTempFile(tempDir, ".walstow-backup-", ".tmp");
        } catch (IOException e) {
            throw new LocalIoError("cannot create a temporary file in " + tempDir + ": " + Failures.describe(e),
                    "set [backup] temp-dir to a writable directory with room for " + parallelismHint(), e);
        }
    }

    private static String parallelismHint() {
        return "[backup] parallelism x 256 MiB";
    }

    private PutResult put(String key, Path temp, ObjectMeta meta) {
        PutResult result;
        try {
            result = repository.store().putIfAbsent(key, temp, meta);
        } catch (StorageException e) {
            throw RepositoryError.of("storing " + key + " in " + repository.location(), e);
        }
        if (result instanceof PutResult.Exists exists && !exists.existing().sha256().equals(meta.sha256())) {
            throw WalRejected.duplicate(key + " already exists in " + repository.location()
                    + " with different content", "another backup with the same label (start second) is running; "
                    + "retry in a second");
        }
        return result;
    }

    /** Reads at most {@code limit} bytes. */
    private static final class BoundedInput extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
