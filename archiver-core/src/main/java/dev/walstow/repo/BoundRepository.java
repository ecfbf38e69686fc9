package dev.walstow.repo;

import dev.walstow.codec.WalCodec;
import dev.walstow.error.WalRejected;
import dev.walstow.error.WalstowException;
import dev.walstow.storage.ObjectStore;
import dev.walstow.wal.ClusterIdentity;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository opened for work: its store and layout ({@link Repository}), the codec its objects are written and read
 * with, and its binding ({@link RepositoryBinding}), read once when the handle is {@linkplain #open opened}. Push, get,
 * backup, restore and verify all work through one handle, so a process reads {@code repository.json} once however
 * many objects it moves (it used to be read per segment: on S3 one more GET per push and per get).
 *
 * <p>Opening reads the binding with one attempt, like every operation on the handle; whoever opens it repeats the
 * attempt if it wants retries ({@code Components.open}, the daemon).
 *
 * <p>The binding is read again only where a change matters:
 * <ul>
 *   <li>A WAL file that fails the check against the binding in memory ({@link #checkAgainstBinding}) re-reads it once
 *       before the refusal stands: the repository may have been re-initialised since the handle was opened (a daemon
 *       runs for months). If the binding did change, the new one is adopted, the file is checked against it, and the
 *       {@linkplain #onRebound listener} is told (the daemon, whose spool state is keyed to the binding, asks for a
 *       restart). If it did not change, or cannot be read, the refusal stands: WAL of another cluster is never
 *       accepted on the strength of a binding that could not be read.</li>
 *   <li>The daemon opens a new handle whenever it starts, and it restarts when its configuration file changes.</li>
 * </ul>
 * A file that matches the binding in memory costs no read. So a repository wiped or re-initialised under a running
 * daemon is noticed at the first file that does not match, or at the daemon's next start.
 */
public final class BoundRepository implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundRepository.class);

    private final Repository repository;
    private final WalCodec codec;
    private volatile RepositoryBinding binding;
    private volatile Consumer<RepositoryBinding> onRebound = b -> {};

    private BoundRepository(Repository repository, WalCodec codec, RepositoryBinding binding) {
        this.repository = repository;
        this.codec = codec;
        this.binding = binding;
    }

    /**
     * Reads the binding (one attempt) and returns the handle. Errors are those of {@link Repository#requireBinding}:
     * not initialised, unreadable, or the store's (retryable); the repository stays open either way.
     */
    public static BoundRepository open(Repository repository, WalCodec codec) {
        return new BoundRepository(repository, codec, repository.requireBinding());
    }

    public Repository repository() {
        return repository;
    }

    public ObjectStore store() {
        return repository.store();
    }

    public String location() {
        return repository.location();
    }

    public WalCodec codec() {
        return codec;
    }

    /** The binding in memory: as read at {@link #open}, or as adopted by {@link #checkAgainstBinding}. */
    public RepositoryBinding binding() {
        return binding;
    }

    /** Which repository this is, for spool state: {@link RepositoryIdentity} of the location and the binding. */
    public String identity() {
        return RepositoryIdentity.of(location(), binding);
    }

    /** Called (on the thread that noticed it) with the new binding when {@link #checkAgainstBinding} adopts one. */
    public void onRebound(Consumer<RepositoryBinding> listener) {
        this.onRebound = listener;
    }

    /**
     * Runs {@code check} (which refuses with {@link WalRejected}) against the bound cluster. A refusal re-reads the
     * binding once: unchanged or unreadable, the refusal stands; changed, the new binding is adopted, the listener
     * told, and the check repeated against it.
     */
    public void checkAgainstBinding(Consumer<ClusterIdentity> check) {
        RepositoryBinding known = binding;
        try {
            check.accept(known.identity());
        } catch (WalRejected refused) {
            RepositoryBinding now;
            try {
                now = repository.requireBinding();
            } catch (WalstowException unreadable) {
                refused.addSuppressed(unreadable);
                throw refused;
            }
            if (now.equals(known)) {
                throw refused;
            }
            adopt(known, now);
            check.accept(now.identity());
        }
    }

    private synchronized void adopt(RepositoryBinding known, RepositoryBinding now) {
        if (!binding.equals(known)) {
            return; // another thread adopted it already
        }
        LOG.warn("repository {} was bound to {} (created {}) and now is to {} (created {}); checking against the "
                + "new binding", location(), known.describe(), known.createdAt(), now.describe(), now.createdAt());
        binding = now;
        onRebound.accept(now);
    }

    @Override
    public void close() {
        repository.close();
    }
}
