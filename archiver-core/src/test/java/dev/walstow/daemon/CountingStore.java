package dev.walstow.daemon;

import dev.walstow.storage.ForwardingObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a real store, recording calls per key; puts can be held at a gate to observe work in flight. */
final class CountingStore extends ForwardingObjectStore {
    final List<String> puts = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger putsFinished = new AtomicInteger();
    private volatile Semaphore gate;

    CountingStore(ObjectStore delegate) {
        super(delegate);
    }

    /** Holds every put until {@link #release()}. */
    void hold(int permits) {
        gate = new Semaphore(permits);
    }

    void release() {
        Semaphore g = gate;
        gate = null;
        if (g != null) {
            g.release(1_000);
        }
    }

    int calls(String key) {
        AtomicInteger n = calls.get(key);
        return n == null ? 0 : n.get();
    }

    int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void count(String key) {
        calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
        count(key);
        return delegate.putIfAbsent(key, content, meta);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
        return gated(key, () -> delegate.putIfAbsent(key, content, meta));
    }

    @Override
    public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
        return gated(key, () -> delegate.putIfAbsent(key, writer));
    }

    private interface Put {
        PutResult run() throws StorageException;
    }

    private PutResult gated(String key, Put put) throws StorageException {
        count(key);
        Semaphore g = gate;
        if (g != null) {
            g.acquireUninterruptibly();
        }
        if (key.startsWith("wal/")) {
            puts.add(key);
        }
        try {
            return put.run();
        } finally {
            putsFinished.incrementAndGet();
        }
    }

    @Override
    public Optional<ObjectMeta> head(String key) throws StorageException {
        count(key);
        return delegate.head(key);
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        count(key);
        return delegate.get(key);
    }
}
