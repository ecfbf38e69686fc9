package dev.walstow.archive;

import dev.walstow.error.RepositoryError;
import dev.walstow.error.UserError;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.ClusterIdentity;
import java.time.Instant;
import java.util.List;

/**
 * {@code walstow init}: binds an empty repository to one cluster. Idempotent for the same cluster, so it can sit
 * in provisioning scripts; refuses another cluster, and refuses a non-empty directory that is not a walstow
 * repository (someone's data, or a repository whose binding was lost: both need a human).
 */
public final class RepositoryInit {

    public record Outcome(RepositoryBinding binding, boolean alreadyBound) {}

    private final Repository repository;

    public RepositoryInit(Repository repository) {
        this.repository = repository;
    }

    public Outcome bind(ClusterIdentity cluster, String walstowVersion) {
        var existing = repository.readBinding();
        if (existing.isPresent()) {
            return sameOrRefuse(existing.get(), cluster);
        }
        List<String> contents = list();
        if (!contents.isEmpty()) {
            throw UserError.binding("repository " + repository.location() + " is not empty (it holds "
                    + contents.getFirst() + ", ...) but has no " + RepositoryLayout.BINDING_KEY,
                    "initialize an empty directory; if this was a walstow repository, restore its "
                            + RepositoryLayout.BINDING_KEY + " from a copy");
        }
        RepositoryBinding binding = RepositoryBinding.of(cluster, Instant.now().toString(), walstowVersion);
        PutResult result = repository.writeBinding(binding);
        if (result instanceof PutResult.Exists) {
            // Lost a race with a concurrent init: judge the winner like any existing binding.
            return sameOrRefuse(repository.requireBinding(), cluster);
        }
        return new Outcome(binding, false);
    }

    private Outcome sameOrRefuse(RepositoryBinding existing, ClusterIdentity cluster) {
        if (existing.identity().equals(cluster)) {
            return new Outcome(existing, true);
        }
        RepositoryBinding ours = RepositoryBinding.of(cluster, "", "");
        throw UserError.binding("repository " + repository.location() + " is bound to " + existing.describe()
                + ", not to this cluster, " + ours.describe(),
                "give each cluster its own repository path; walstow never mixes WAL of two clusters");
    }

    private List<String> list() {
        try {
            return repository.store().list("");
        } catch (StorageException e) {
            throw RepositoryError.of("listing " + repository.location(), e);
        }
    }
}
