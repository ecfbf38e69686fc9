package dev.walstow.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Passes every call to another store, including the interface's default methods (so a wrapped backend keeps its own
 * streaming put and listing). Tests extend it and override the calls they count, hold or break.
 */
public class ForwardingObjectStore implements ObjectStore {
    protected final ObjectStore delegate;

    public ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
        return delegate.putIfAbsent(key, content, meta);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
        return delegate.putIfAbsent(key, content, meta);
    }

    @Override
    public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
        return delegate.putIfAbsent(key, writer);
    }

    @Override
    public Optional<ObjectMeta> head(String key) throws StorageException {
        return delegate.head(key);
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        return delegate.get(key);
    }

    @Override
    public List<String> list(String prefix) throws StorageException {
        return delegate.list(prefix);
    }

    @Override
    public List<ListedObject> listWithInfo(String prefix) throws StorageException {
        return delegate.listWithInfo(prefix);
    }

    @Override
    public long cleanAbandonedUploads(Duration olderThan, boolean dryRun) throws StorageException {
        return delegate.cleanAbandonedUploads(olderThan, dryRun);
    }

    @Override
    public long cleanLeftoversOfDeadWriters() throws StorageException {
        return delegate.cleanLeftoversOfDeadWriters();
    }

    @Override
    public boolean delete(String key) throws StorageException {
        return delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
