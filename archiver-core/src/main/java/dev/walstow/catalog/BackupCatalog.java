package dev.walstow.catalog;

import dev.walstow.agent.Failures;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.walstow.error.DataError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.repo.Repository;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The complete backups of a repository: those with a manifest. Oldest first. */
public final class BackupCatalog {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private BackupCatalog() {}

    public static List<BackupManifest> load(Repository repository) {
        List<BackupManifest> result = new ArrayList<>();
        for (String key : list(repository, BackupLayout.PREFIX)) {
            Optional<String> label = BackupLayout.labelOfManifest(key);
            if (label.isPresent()) {
                read(repository, label.get()).ifPresent(result::add);
            }
        }
        return result;
    }

    /** The newest complete backup (labels are start times): one listing of {@code backup/} and one read. */
    public static Optional<BackupManifest> newest(Repository repository) {
        return list(repository, BackupLayout.PREFIX).stream().map(BackupLayout::labelOfManifest)
                .flatMap(Optional::stream).max(String::compareTo).flatMap(label -> read(repository, label));
    }

    /** Labels of every backup directory, complete or not (an aborted backup leaves objects without manifest). */
    public static List<String> allLabels(Repository repository) {
        return list(repository, BackupLayout.PREFIX).stream()
                .map(k -> k.substring(BackupLayout.PREFIX.length()))
                .map(k -> k.contains("/") ? k.substring(0, k.indexOf('/')) : k)
                .filter(BackupLayout::isLabel).distinct().sorted().toList();
    }

    public static List<String> list(Repository repository, String prefix) {
        try {
            return repository.store().list(prefix);
        } catch (StorageException e) {
            throw RepositoryError.of("listing " + prefix + " in " + repository.location(), e);
        }
    }

    public static Optional<BackupManifest> read(Repository repository, String label) {
        String key = BackupLayout.manifestKey(label);
        try {
            Optional<StoredObject> object = repository.store().get(key);
            if (object.isEmpty()) {
                return Optional.empty();
            }
            try (StoredObject o = object.get()) {
                BackupManifest m = JSON.readValue(o.content(), BackupManifest.class);
                if (m.format() < BackupManifest.OLDEST_FORMAT || m.format() > BackupManifest.FORMAT) {
                    throw DataError.integrity(key + " has format " + m.format() + ", this walstow reads "
                            + BackupManifest.OLDEST_FORMAT + " to " + BackupManifest.FORMAT,
                            "use the walstow version that wrote it", null);
                }
                return Optional.of(m);
            }
        } catch (StorageException e) {
            throw RepositoryError.of("reading " + key + " from " + repository.location(), e);
        } catch (IOException e) {
            throw DataError.integrity(key + " is unreadable: " + Failures.describe(e), "run walstow verify", e);
        }
    }

    /** Writes the manifest create-only: from this moment the backup counts as complete. */
    public static void write(Repository repository, BackupManifest manifest) {
        String key = BackupLayout.manifestKey(manifest.label());
        try {
            byte[] bytes = JSON.writeValueAsBytes(manifest);
            PutResult result = repository.store().putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes));
            if (result instanceof PutResult.Exists) {
                throw WalRejected.duplicate(key + " already exists", "another backup started in the same second; "
                        + "this one is not recorded, run it again");
            }
        } catch (StorageException e) {
            throw RepositoryError.of("writing " + key + " to " + repository.location(), e);
        } catch (IOException e) {
            throw new IllegalStateException("a manifest serializes to JSON", e);
        }
    }
}
