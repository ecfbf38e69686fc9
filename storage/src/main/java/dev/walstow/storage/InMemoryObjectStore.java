package dev.walstow.storage;

import dev.walstow.agent.Failures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ObjectStore} held in memory, for tests of other modules. Thread-safe; contents are copied on the way in,
 * so callers may reuse their buffers. Nothing survives the JVM, so "durable" means "in the map".
 */
public final class InMemoryObjectStore implements ObjectStore {
    private static final AtomicLong INSTANCES = new AtomicLong();

    private record Entry(byte[] content, ObjectMeta meta, Instant stored) {}

    // A sorted map makes list() a range scan and gives the contract's ascending order for free.
    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final String location = "memory:" + INSTANCES.incrementAndGet();
    private final Clock clock;

    public InMemoryObjectStore() {
        this(Clock.systemUTC());
    }

    /** A store that stamps each object with {@code clock}'s time, so tests can make objects of any age. */
    public InMemoryObjectStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
        ObjectKey.validate(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(content);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO,
                    "put " + key + " in " + location + ": cannot read " + content + ": " + Failures.describe(e), e);
        }
        return store(key, bytes, meta);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
        ObjectKey.validate(key);
        return store(key, content.clone(), meta);
    }

    private PutResult store(String key, byte[] content, ObjectMeta meta) {
        Entry previous = objects.putIfAbsent(key, new Entry(content, Objects.requireNonNull(meta, "meta"),
                clock.instant()));
        return previous == null ? new PutResult.Created() : new PutResult.Exists(previous.meta());
    }

    @Override
    public Optional<ObjectMeta> head(String key) throws StorageException {
        ObjectKey.validate(key);
        return Optional.ofNullable(objects.get(key)).map(Entry::meta);
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        ObjectKey.validate(key);
        Entry entry = objects.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        return Optional.of(new StoredObject(entry.meta(), entry.content().length,
                new ByteArrayInputStream(entry.content())));
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (String key : objects.tailMap(Objects.requireNonNull(prefix, "prefix")).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            keys.add(key);
        }
        return keys;
    }

    @Override
    public List<ListedObject> listWithInfo(String prefix) {
        List<ListedObject> listed = new ArrayList<>();
        for (var e : objects.tailMap(Objects.requireNonNull(prefix, "prefix")).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            listed.add(new ListedObject(e.getKey(), Optional.of(e.getValue().stored())));
        }
        return listed;
    }

    @Override
    public boolean delete(String key) throws StorageException {
        ObjectKey.validate(key);
        return objects.remove(key) != null;
    }

    @Override
    public void close() {
        // Nothing to release; the objects stay readable so a test can inspect them after the code under test closed.
    }
}
