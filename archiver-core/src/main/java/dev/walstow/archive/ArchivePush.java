package dev.walstow.archive;

import dev.walstow.codec.CodecResult;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.WalFileName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * archive-push for one file: validate it against the repository's cluster, then store it create-only. Returns only
 * once the object is durable; PostgreSQL deletes or recycles the segment as soon as we exit 0.
 */
public final class ArchivePush {

    /** What happened; both mean the file is safely in the repository. */
    public record Outcome(boolean alreadyArchived, long plainSize, long storedSize, String sha256) {}

    private final Repository repository;
    private final WalCodec codec;
    private final Retrier retrier;

    public ArchivePush(Repository repository, WalCodec codec, Retrier retrier) {
        this.repository = repository;
        this.codec = codec;
        this.retrier = retrier;
    }

    public Outcome push(WalFileName name, Path source) {
        RepositoryBinding binding = retrier.call("reading repository binding", repository::requireBinding);
        LocalWalFile.validate(name, source, binding.identity());
        String key = RepositoryLayout.keyOf(name);

        Optional<ObjectMeta> existing = retrier.call("checking " + key, () -> head(key));
        if (existing.isPresent()) {
            return compare(name, source, existing.get(), LocalWalFile.sha256(source));
        }
        ByteArrayOutputStream stored = new ByteArrayOutputStream(initialCapacity(source));
        CodecResult encoded = encode(source, stored);
        ObjectMeta meta = new ObjectMeta(encoded.sha256Hex(), encoded.plainSize(), codec.codecName());
        byte[] bytes = stored.toByteArray();
        PutResult result = retrier.call("storing " + key, () -> put(key, bytes, meta));
        return switch (result) {
            case PutResult.Created c -> new Outcome(false, encoded.plainSize(), bytes.length, encoded.sha256Hex());
            case PutResult.Exists e -> compare(name, source, e.existing(), encoded.sha256Hex());
        };
    }

    /**
     * Same name already archived. Identical content: PostgreSQL is re-pushing after a crash between our success
     * and its .done rename, which is normal. Different content: a split brain, a restored-and-promoted clone, or a
     * reused repository; overwriting would destroy the only copy of someone's WAL, so refuse.
     */
    private Outcome compare(WalFileName name, Path source, ObjectMeta existing, String localSha) {
        if (existing.sha256().equals(localSha)) {
            return new Outcome(true, existing.plainSize(), -1, localSha);
        }
        String hint = name instanceof HistoryName
                ? "a timeline history file is never overwritten: two servers promoted to the same timeline; "
                        + "keep one repository per lineage and see docs/runbook.md (duplicate-segment errors)"
                : "another server archived different WAL under this name (failover without pg_rewind, a cloned "
                        + "VM, or two clusters sharing a repository); do not delete either copy, see "
                        + "docs/runbook.md (duplicate-segment errors)";
        throw WalRejected.duplicate(name.fileName() + " is already archived in " + repository.location()
                + " with different content (archived sha256 " + existing.sha256() + ", local sha256 " + localSha
                + ")", hint);
    }

    private CodecResult encode(Path source, ByteArrayOutputStream out) {
        try (InputStream in = Files.newInputStream(source)) {
            return codec.encode(in, out);
        } catch (IOException e) {
            throw LocalWalFile.readError(source, e);
        }
    }

    private Optional<ObjectMeta> head(String key) {
        try {
            return repository.store().head(key);
        } catch (StorageException e) {
            throw RepositoryError.of("checking " + key + " in " + repository.location(), e);
        }
    }

    private PutResult put(String key, byte[] bytes, ObjectMeta meta) {
        try {
            return repository.store().putIfAbsent(key, bytes, meta);
        } catch (StorageException e) {
            throw RepositoryError.of("storing " + key + " in " + repository.location(), e);
        }
    }

    /** Compressed WAL is typically a quarter to a fifth of the original; avoid regrowing the buffer. */
    private static int initialCapacity(Path source) {
        long size = LocalWalFile.size(source);
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(8192, size / 3));
    }
}
