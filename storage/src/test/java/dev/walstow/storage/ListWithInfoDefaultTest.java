package dev.walstow.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The default {@link ObjectStore#listWithInfo} keeps backends written before it correct. */
class ListWithInfoDefaultTest {

    @Test
    @DisplayName("a backend that does not override listWithInfo lists its keys with no time, never a made-up one")
    void defaultHasNoTime() throws Exception {
        InMemoryObjectStore inner = new InMemoryObjectStore();
        ObjectStore plain = new OnlyTheOriginalMethods(inner);
        plain.putIfAbsent("a/2", new byte[] {2}, ObjectMeta.ofPlain(new byte[] {2}));
        plain.putIfAbsent("a/1", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1}));

        assertThat(plain.listWithInfo("a/")).containsExactly(new ListedObject("a/1", Optional.empty()),
                new ListedObject("a/2", Optional.empty()));
        assertThat(inner.listWithInfo("a/")).allSatisfy(o -> assertThat(o.lastModified()).isPresent());
    }

    /** Implements exactly the methods the interface had before listWithInfo, as an older backend does. */
    private record OnlyTheOriginalMethods(ObjectStore d) implements ObjectStore {
        @Override
        public String location() {
            return d.location();
        }

        @Override
        public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
            return d.putIfAbsent(key, content, meta);
        }

        @Override
        public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
            return d.putIfAbsent(key, content, meta);
        }

        @Override
        public Optional<ObjectMeta> head(String key) throws StorageException {
            return d.head(key);
        }

        @Override
        public Optional<StoredObject> get(String key) throws StorageException {
            return d.get(key);
        }

        @Override
        public List<String> list(String prefix) throws StorageException {
            return d.list(prefix);
        }

        @Override
        public boolean delete(String key) throws StorageException {
            return d.delete(key);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
