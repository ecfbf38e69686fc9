package dev.walstow.archive;

import dev.walstow.codec.CodecResult;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * archive-push for one file: validate it against the repository's cluster, then store it create-only. Returns only
 * once the object is durable; PostgreSQL deletes or recycles the segment as soon as we exit 0.
 *
 * <p>One attempt per {@link #push}: retries, and the daemon's time limit, belong to the caller (the command wraps it in
 * its {@link Retrier}, the daemon's PushService in its own retries and operation timeout). Each attempt opens and
 * encodes the source afresh. The binding is the handle's, in memory ({@link BoundRepository#checkAgainstBinding}).
 */
public final class ArchivePush {

    /** What happened; both mean the file is safely in the repository. */
    public record Outcome(boolean alreadyArchived, long plainSize, long storedSize, String sha256) {}

    private final BoundRepository repository;

    public ArchivePush(BoundRepository repository) {
        this.repository = repository;
    }

    public Outcome push(WalFileName name, Path source) {
        repository.checkAgainstBinding(cluster -> LocalWalFile.validate(name, source, cluster));
        String key = RepositoryLayout.keyOf(name);
        // No head() of our own: the streaming put answers a taken key without asking for content (duplicate pushes
        // are common: archive_command retries), so one HEAD (S3) or readlink (posix) per push is enough.
        Attempt stored = put(key, source);
        return switch (stored.result()) {
            case PutResult.Created c -> {
                CodecResult written = stored.written().orElseThrow(() -> new IllegalStateException(
                        repository.location() + " created " + key + " without asking for its content"));
                yield new Outcome(false, written.plainSize(), written.storedSize(), written.sha256Hex());
            }
            // Taken: already archived (the store did not ask for content), or by a racer once we had encoded.
            case PutResult.Exists e -> compare(name, source, e.existing(),
                    stored.written().map(CodecResult::sha256Hex).orElseGet(() -> LocalWalFile.sha256(source)));
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

    /** The put: what the store answered, and what we encoded if the store asked for it. */
    private record Attempt(PutResult result, Optional<CodecResult> written) {}

    /** Opens and encodes the source straight into the store: no whole object in memory. */
    private Attempt put(String key, Path source) {
        Encoder encoder = new Encoder(source);
        try {
            return new Attempt(repository.store().putIfAbsent(key, encoder), Optional.ofNullable(encoder.written));
        } catch (StorageException e) {
            throw RepositoryError.of("storing " + key + " in " + repository.location(), e);
        }
    }

    /**
     * Encodes the source into the store's stream. Failures to read the source are {@code LocalIoError}s (unchecked,
     * not retried, and passed through by the store); an {@link IOException} out of here is the repository's.
     */
    private final class Encoder implements ObjectWriter {
        private final Path source;
        private CodecResult written;

        Encoder(Path source) {
            this.source = source;
        }

        @Override
        public ObjectMeta writeTo(OutputStream out) throws IOException {
            try (InputStream in = LocalWalFile.openForEncoding(source)) {
                written = repository.codec().encode(in, out);
            }
            return new ObjectMeta(written.sha256Hex(), written.plainSize(), repository.codec().codecName());
        }
    }
}
