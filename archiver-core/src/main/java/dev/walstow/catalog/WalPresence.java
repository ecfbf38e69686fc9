package dev.walstow.catalog;

import dev.walstow.archive.Retrier;
import dev.walstow.error.RepositoryError;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.SegmentName;

/** Whether one segment is archived: one direct head of its key, no listing. */
public final class WalPresence {
    private WalPresence() {}

    public static boolean inRepository(Repository repository, Retrier retrier, SegmentName name) {
        String key = RepositoryLayout.keyOf(name);
        return retrier.call("checking " + key, () -> {
            try {
                return repository.store().head(key).isPresent();
            } catch (StorageException e) {
                throw RepositoryError.of("checking " + key + " in " + repository.location(), e);
            }
        });
    }
}
