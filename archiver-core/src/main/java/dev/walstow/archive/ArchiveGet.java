package dev.walstow.archive;

import dev.walstow.agent.Failures;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.DataError;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.runtime.LocalFiles;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * archive-get for one file. The only outcome that may end recovery is {@link Outcome#NOT_FOUND}, returned solely
 * when the store positively says there is no object under the key; every doubt is an exception.
 *
 * <p>The file appears at the destination by atomic rename only after its checksum, size and (for segments) page
 * header were verified, so PostgreSQL never reads a half-written or wrong segment.
 *
 * <p>One attempt per {@link #get}: retries, and the daemon's time limit, belong to the caller (the command wraps it in
 * its {@link Retrier}, the daemon's FetchService in its own retries and operation timeout). The page header is checked
 * against the handle's binding, in memory ({@link BoundRepository#checkAgainstBinding}).
 */
public final class ArchiveGet {

    public enum Outcome { FETCHED, NOT_FOUND }

    private final BoundRepository repository;

    public ArchiveGet(BoundRepository repository) {
        this.repository = repository;
    }

    public Outcome get(WalFileName name, Path destination) {
        String key = RepositoryLayout.keyOf(name);
        Optional<StoredObject> object = open(key);
        if (object.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        Path temp = destination.resolveSibling(".walstow-" + name.fileName() + "." + UUID.randomUUID() + ".tmp");
        try (StoredObject o = object.get()) {
            CodecResult result = decodeTo(name, o, temp, key);
            verify(name, key, o.meta(), result);
            if (name instanceof SegmentName || name instanceof PartialName) {
                repository.checkAgainstBinding(cluster -> LocalWalFile.validate(name, temp, cluster));
            }
            install(temp, destination);
            return Outcome.FETCHED;
        } catch (IOException e) {
            // Only closing the repository stream throws here; a retry (the caller's) re-reads the object.
            throw RepositoryError.of("reading " + key + " from " + repository.location(),
                    new StorageException(StorageException.Kind.IO, Failures.describe(e), e));
        } catch (WalstowException e) {
            // A fetched segment that fails the header check against the bound cluster is a damaged or foreign
            // object: the same treatment as a checksum failure, never "not found".
            throw e instanceof WalRejected
                    ? DataError.integrity(key + ": restored file fails validation: " + e.getMessage(),
                            "run walstow verify; the archived object is damaged or from another cluster", e)
                    : e;
        } finally {
            LocalFiles.deleteQuietly(temp);
        }
    }

    private CodecResult decodeTo(WalFileName name, StoredObject o, Path temp, String key) {
        OutputStream file;
        try {
            file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new LocalIoError("cannot create " + temp + ": " + Failures.describe(e),
                    "check free space and permissions of pg_wal", e);
        }
        try (OutputStream out = new LocalWriteGuard(new BufferedOutputStream(file, 1 << 16), temp)) {
            return repository.codec().decode(o.content(), out, digestFor(name));
        } catch (IOException e) {
            StorageException cause = e instanceof StorageException se ? se
                    : new StorageException(StorageException.Kind.IO, Failures.describe(e), e);
            throw RepositoryError.of("reading " + key + " from " + repository.location(), cause);
        }
    }

    /**
     * Segments skip the SHA-256 when the codec has proven the content otherwise (WalCodec.Digest); their page header
     * names segment and cluster. History and backup-history files have no such header, are a few hundred bytes, and
     * are always compared with the SHA-256 recorded at push.
     */
    private static WalCodec.Digest digestFor(WalFileName name) {
        return name instanceof SegmentName || name instanceof PartialName ? WalCodec.Digest.UNLESS_INTEGRITY_PROTECTED
                : WalCodec.Digest.ALWAYS;
    }

    /** An encrypted segment's content may have been proven by the codec instead of the SHA-256 (digestFor). */
    private static void verify(WalFileName name, String key, ObjectMeta meta, CodecResult result) {
        boolean shaDiffers = result.sha256().isPresent() && !meta.sha256().equals(result.sha256().get());
        if (shaDiffers || meta.plainSize() != result.plainSize()) {
            throw DataError.integrity(key + ": checksum mismatch for " + name.fileName() + " (stored sha256 "
                    + meta.sha256() + ", " + meta.plainSize() + " bytes; restored sha256 "
                    + result.sha256().orElse("not computed") + ", " + result.plainSize() + " bytes)",
                    "the object is damaged; run walstow verify and restore the object from a copy", null);
        }
    }

    private Optional<StoredObject> open(String key) {
        try {
            return repository.store().get(key);
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(), e);
        }
    }

    /**
     * Not fsync'd, on purpose (an fsync per 16 MiB segment made restore disk-bound). Nothing is lost by an OS crash:
     * PostgreSQL fsyncs what it keeps of a restored file (durable_rename in KeepFileRestoredFromArchive) and
     * otherwise asks again when recovery restarts; the daemon's prefetch spool is keyed to the boot
     * ({@code SpoolLayout#prefetchDirectory}), so a file torn by a crash is never handed over.
     */
    private static void install(Path temp, Path destination) {
        try {
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LocalIoError("cannot move the restored file into place at " + destination + ": "
                    + Failures.describe(e), "check free space and permissions of pg_wal", e);
        }
    }
}
