package dev.walstow.repo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.walstow.agent.Failures;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.UserError;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.util.Optional;

/** A repository: an {@link ObjectStore} plus walstow's layout and its binding to one cluster. */
public final class Repository implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectStore store;

    public Repository(ObjectStore store) {
        this.store = store;
    }

    public ObjectStore store() {
        return store;
    }

    public String location() {
        return store.location();
    }

    /** @return the binding, or empty if {@code walstow init} has not run */
    public Optional<RepositoryBinding> readBinding() {
        try {
            Optional<StoredObject> object = store.get(RepositoryLayout.BINDING_KEY);
            if (object.isEmpty()) {
                return Optional.empty();
            }
            try (StoredObject o = object.get()) {
                RepositoryBinding binding = JSON.readValue(o.content(), RepositoryBinding.class);
                if (binding.format() != RepositoryBinding.FORMAT) {
                    throw UserError.binding("repository " + location() + " has format " + binding.format()
                            + ", this walstow reads format " + RepositoryBinding.FORMAT,
                            "use the walstow version that created it");
                }
                return Optional.of(binding);
            }
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + RepositoryLayout.BINDING_KEY, e);
        } catch (IOException e) {
            throw UserError.binding("repository " + location() + ": " + RepositoryLayout.BINDING_KEY
                    + " is unreadable: " + Failures.describe(e), "restore it from a copy or re-create the repository");
        }
    }

    /** The binding every WAL operation needs; a clear error if the repository was never initialized. */
    public RepositoryBinding requireBinding() {
        return readBinding().orElseThrow(() -> UserError.binding(
                "repository " + location() + " is not initialized (no " + RepositoryLayout.BINDING_KEY + ")",
                "run 'walstow init' once, as the PostgreSQL OS user, to bind it to this cluster"));
    }

    /** Writes the binding create-only. @return the binding in force (ours, or the one already there) */
    public PutResult writeBinding(RepositoryBinding binding) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(binding);
            return store.putIfAbsent(RepositoryLayout.BINDING_KEY, bytes, ObjectMeta.ofPlain(bytes));
        } catch (StorageException e) {
            throw RepositoryError.of("writing " + RepositoryLayout.BINDING_KEY, e);
        } catch (IOException e) {
            throw new IllegalStateException("binding serializes to JSON", e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
