package dev.walstow.restore;

import dev.walstow.agent.Failures;
import dev.walstow.storage.Sha256;
import dev.walstow.backup.BackupManifest.StoredPart;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.DataError;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.RepositoryError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Fetches one stored part, decodes it and writes it at its offset of a local file, checking size and SHA-256
 * against the manifest. Streams end to end: memory use does not depend on the part size. One attempt per call; the
 * caller ({@link RestoreRun}) repeats it as a whole (a torn read rewrites the same region).
 */
public final class PartFetch {
    private final BoundRepository repository;

    public PartFetch(BoundRepository repository) {
        this.repository = repository;
    }

    public void toFile(StoredPart part, Path file) {
        writeAt(part, file, ch -> {
            ch.position(part.offset());
            return Channels.newOutputStream(ch);
        });
    }

    /** Decodes the part into the stream {@code target} opens on the file, checks it, and syncs the file. */
    private void writeAt(StoredPart part, Path file, ChannelTarget target) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(target.open(ch), 1 << 16);
            CodecResult r = decode(part, out);
            out.flush();
            ch.force(false);
            check(part, r);
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + part.key() + " from " + repository.location(), e);
        } catch (IOException e) {
            throw new LocalIoError("cannot write " + file + ": " + Failures.describe(e),
                    "check free space and permissions of the target directory", e);
        }
    }

    /**
     * Writes the part at its offset of {@code file} except the blocks set in {@code skip} (written from a newer
     * backup of the chain). The whole part is still decoded and its checksum checked.
     */
    public void toFileExcept(StoredPart part, Path file, java.util.BitSet skip, int blockSize) {
        writeAt(part, file, ch -> new MaskedOutput(ch, part.offset(), skip, blockSize));
    }

    @FunctionalInterface
    private interface ChannelTarget {
        OutputStream open(FileChannel channel) throws IOException;
    }

    /** Decodes the part into {@code out} and checks its size and checksum (after {@code out} had every byte). */
    public void decodeInto(StoredPart part, OutputStream out) throws IOException {
        try {
            check(part, decode(part, out));
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + part.key() + " from " + repository.location(), e);
        }
    }

    public byte[] toBytes(StoredPart part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            check(part, decode(part, out));
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + part.key() + " from " + repository.location(), e);
        } catch (IOException e) {
            throw RepositoryError.of("reading " + part.key() + " from " + repository.location(),
                    new StorageException(StorageException.Kind.IO, Failures.describe(e), e));
        }
        return out.toByteArray();
    }

    /**
     * Decodes the object at {@code key} (a WAL segment) to nowhere and checks it against its stored size and checksum:
     * proof, before a restore writes anything, that the configured key decrypts what recovery will fetch. Memory use
     * does not depend on the object's size.
     */
    public void proveDecodable(String key) {
        Optional<StoredObject> object;
        try {
            object = repository.store().get(key);
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(), e);
        }
        if (object.isEmpty()) {
            throw DataError.integrity(key + " is missing from " + repository.location() + " although it was listed "
                    + "a moment ago", "check that nothing (walstow expire, another host) deletes WAL the restore "
                    + "needs, then restore again", null);
        }
        try (StoredObject o = object.get()) {
            CodecResult r = repository.codec().decode(o.content(), OutputStream.nullOutputStream(),
                    WalCodec.Digest.UNLESS_INTEGRITY_PROTECTED);
            if (r.plainSize() != o.meta().plainSize()
                    || r.sha256().isPresent() && !r.sha256().get().equals(o.meta().sha256())) {
                throw DataError.integrity(key + ": checksum mismatch (stored sha256 " + o.meta().sha256() + ", "
                        + o.meta().plainSize() + " bytes; decoded " + r.sha256().orElse("(not computed)") + ", "
                        + r.plainSize() + " bytes)", "the object is damaged; run walstow verify", null);
            }
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(), e);
        } catch (IOException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(),
                    new StorageException(StorageException.Kind.IO, Failures.describe(e), e));
        }
    }

    /** Whether {@code file} already holds the part's bytes at its offset (for --delta). */
    public static boolean matches(StoredPart part, Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < part.offset() + part.size()) {
                return false;
            }
            ch.position(part.offset());
            InputStream in = Channels.newInputStream(ch);
            MessageDigest sha = Sha256.digest();
            byte[] buf = new byte[1 << 16];
            long left = part.size();
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    return false;
                }
                sha.update(buf, 0, n);
                left -= n;
            }
            return HexFormat.of().formatHex(sha.digest()).equals(part.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    private CodecResult decode(StoredPart part, OutputStream out) throws IOException {
        Optional<StoredObject> object;
        try {
            object = repository.store().get(part.key());
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + part.key() + " from " + repository.location(), e);
        }
        if (object.isEmpty()) {
            throw DataError.integrity(part.key() + " is missing from " + repository.location()
                    + " although the backup's manifest lists it", "run walstow verify; restore from another "
                    + "backup (--set)", null);
        }
        try (StoredObject o = object.get()) {
            return repository.codec().decode(o.content(), out);
        }
    }

    private static void check(StoredPart part, CodecResult r) {
        if (!r.sha256Hex().equals(part.sha256()) || r.plainSize() != part.size()) {
            throw DataError.integrity(part.key() + ": checksum mismatch (manifest sha256 " + part.sha256() + ", "
                    + part.size() + " bytes; restored sha256 " + r.sha256Hex() + ", " + r.plainSize() + " bytes)",
                    "the object is damaged; run walstow verify and restore from another backup (--set)", null);
        }
    }

    /** Writes at a file position, leaving out whole blocks set in {@code skip}. */
    private static final class MaskedOutput extends OutputStream {
        private final FileChannel channel;
        private final java.util.BitSet skip;
        private final int blockSize;
        private long position;

        MaskedOutput(FileChannel channel, long position, java.util.BitSet skip, int blockSize) {
            this.channel = channel;
            this.position = position;
            this.skip = skip;
            this.blockSize = blockSize;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                long block = position / blockSize;
                int n = (int) Math.min(len, (block + 1) * blockSize - position);
                if (block > Integer.MAX_VALUE || !skip.get((int) block)) {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, n);
                    long at = position;
                    while (buf.hasRemaining()) {
                        at += channel.write(buf, at);
                    }
                }
                position += n;
                off += n;
                len -= n;
            }
        }
    }
}
