package dev.walstow.storage;

import static dev.walstow.storage.StoreFixtures.assertSameBytes;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link ObjectStore} contract, run against every backend: extend it and implement {@link #newStore()}. Each
 * test gets a fresh, empty store.
 */
public abstract class ObjectStoreContractTest {
    private static final int RACERS = 8;

    protected ObjectStore store;

    @TempDir
    protected Path scratch;

    /** An empty store, used by one test and closed after it. */
    protected abstract ObjectStore newStore() throws Exception;

    /**
     * Fails if the store wrote anything that {@link ObjectStore#list} cannot see, e.g. files beside or outside the
     * repository directory. Called after operations with invalid keys, which must write nothing at all.
     */
    protected void assertNothingStoredOutsideObjects() throws Exception {}

    /**
     * Leaves in the store what a put of {@code key} interrupted by a crash leaves behind (S3: a multipart upload
     * started and never completed; posix: a hidden temporary file).
     *
     * @return false for a backend whose puts leave nothing behind
     */
    protected boolean abandonAnUpload(String key) throws Exception {
        return false;
    }

    /**
     * Leaves in the store what a put of {@code key} by a writer that has provably exited left behind (posix: a
     * temporary file named by a process of this boot whose pid is now another process's).
     *
     * @return false for a backend that cannot tell its writers apart
     */
    protected boolean abandonAnUploadOfDeadWriter(String key) throws Exception {
        return false;
    }

    /**
     * Fails if a put left anything behind besides the objects {@link ObjectStore#list} shows (posix: a temporary or
     * unlinked data file; S3: a multipart upload). Called after puts that failed.
     */
    protected void assertNoLeftovers() throws Exception {}

    /** Whether this backend overrides {@link ObjectStore#listWithInfo} with stored times (then they must be there). */
    protected boolean listsStoredTimes() {
        return false;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    @DisplayName("bytes put under a key are read back with their metadata")
    void roundTripBytes() throws Exception {
        byte[] bytes = randomBytes(10_000, 1);
        ObjectMeta meta = ObjectMeta.ofPlain(bytes);

        assertThat(store.putIfAbsent("wal/0001/a", bytes, meta)).isEqualTo(new PutResult.Created());

        assertThat(store.head("wal/0001/a")).contains(meta);
        assertThat(store.get("wal/0001/a")).get().extracting(StoredObject::meta).isEqualTo(meta);
        assertSameBytes(content(store.get("wal/0001/a")), bytes);
    }

    @Test
    @DisplayName("a file put under a key is read back with its metadata")
    void roundTripPath() throws Exception {
        byte[] bytes = randomBytes(10_000, 2);
        Path file = Files.write(scratch.resolve("segment"), bytes);

        assertThat(store.putIfAbsent("a.partial", file, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());

        assertThat(store.head("a.partial")).contains(ObjectMeta.ofPlain(bytes));
        assertSameBytes(content(store.get("a.partial")), bytes);
    }

    @Test
    @DisplayName("bytes from a writer are stored under the metadata it returns, and the writer is called once")
    void roundTripWriter() throws Exception {
        // Larger than a posix write buffer and not a multiple of it; metadata the store could not compute itself.
        byte[] bytes = randomBytes(700_001, 11);
        ObjectMeta meta = new ObjectMeta("cd".repeat(32), 3L << 20, "zstd+openpgp");
        CountingWriter writer = new CountingWriter(bytes, meta);

        assertThat(store.putIfAbsent("wal/0001/w", writer)).isEqualTo(new PutResult.Created());

        assertThat(writer.calls).hasValue(1);
        assertThat(store.head("wal/0001/w")).contains(meta);
        assertThat(store.get("wal/0001/w")).get().extracting(StoredObject::meta).isEqualTo(meta);
        assertSameBytes(content(store.get("wal/0001/w")), bytes);
    }

    @Test
    @DisplayName("empty content is an object, distinct from no object")
    void emptyContent() throws Exception {
        Path empty = Files.createFile(scratch.resolve("empty"));

        assertThat(store.putIfAbsent("e/bytes", new byte[0], ObjectMeta.ofPlain(new byte[0])))
                .isEqualTo(new PutResult.Created());
        assertThat(store.putIfAbsent("e/file", empty, ObjectMeta.ofPlain(new byte[0])))
                .isEqualTo(new PutResult.Created());
        assertThat(store.putIfAbsent("e/writer", writing(new byte[0]))).isEqualTo(new PutResult.Created());

        assertThat(content(store.get("e/bytes"))).isEmpty();
        assertThat(content(store.get("e/file"))).isEmpty();
        assertThat(content(store.get("e/writer"))).isEmpty();
        assertThat(store.head("e/writer")).contains(ObjectMeta.ofPlain(new byte[0]));
        assertThat(store.head("e/file")).contains(ObjectMeta.ofPlain(new byte[0]));
    }

    @Test
    @DisplayName("a 20 MiB object round-trips intact from bytes, from a file and from a writer")
    void largeObjects() throws Exception {
        byte[] bytes = randomBytes(20 << 20, 3);
        Path file = Files.write(scratch.resolve("big"), bytes);

        store.putIfAbsent("big/from-bytes", bytes, ObjectMeta.ofPlain(bytes));
        store.putIfAbsent("big/from-file", file, ObjectMeta.ofPlain(bytes));
        store.putIfAbsent("big/from-writer", writing(bytes));

        assertSameBytes(content(store.get("big/from-bytes")), bytes);
        assertSameBytes(content(store.get("big/from-file")), bytes);
        assertSameBytes(content(store.get("big/from-writer")), bytes);
        assertThat(store.head("big/from-writer")).contains(ObjectMeta.ofPlain(bytes));
    }

    @Test
    @DisplayName("metadata is kept as given, independent of the stored bytes")
    void metadataIsOpaque() throws Exception {
        // The stored bytes are compressed/encrypted; the metadata describes the plaintext, which the store never sees.
        ObjectMeta meta = new ObjectMeta("ab".repeat(32), 16L << 20, "zstd+openpgp");

        store.putIfAbsent("k", new byte[] {1, 2, 3}, meta);

        assertThat(store.head("k")).contains(meta);
        try (StoredObject object = store.get("k").orElseThrow()) {
            assertThat(object.meta()).isEqualTo(meta);
            assertThat(object.storedSize()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("duplicate key with identical content reports the existing object")
    void duplicateIdentical() throws Exception {
        byte[] bytes = randomBytes(1000, 4);
        store.putIfAbsent("dup", bytes, ObjectMeta.ofPlain(bytes));

        assertThat(store.putIfAbsent("dup", bytes.clone(), ObjectMeta.ofPlain(bytes)))
                .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(bytes)));
        assertSameBytes(content(store.get("dup")), bytes);
    }

    @Test
    @DisplayName("duplicate key with different content is refused and the original kept")
    void duplicateDifferent() throws Exception {
        byte[] original = randomBytes(1000, 5);
        byte[] other = randomBytes(2000, 6);
        store.putIfAbsent("d/x", original, ObjectMeta.ofPlain(original));

        assertThat(store.putIfAbsent("d/x", other, ObjectMeta.ofPlain(other)))
                .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(original)));
        assertThat(store.putIfAbsent("d/x", Files.write(scratch.resolve("other"), other), ObjectMeta.ofPlain(other)))
                .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(original)));

        assertThat(store.head("d/x")).contains(ObjectMeta.ofPlain(original));
        assertSameBytes(content(store.get("d/x")), original);
        assertThat(store.list("")).containsExactly("d/x");
    }

    @Test
    @DisplayName("a put through a writer under a taken key answers Exists without calling the writer")
    void writerNotCalledForTakenKey() throws Exception {
        byte[] original = randomBytes(1000, 12);
        store.putIfAbsent("t/x", original, ObjectMeta.ofPlain(original));
        CountingWriter writer = new CountingWriter(randomBytes(2000, 13), ObjectMeta.ofPlain(new byte[] {1}));

        assertThat(store.putIfAbsent("t/x", writer)).isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(original)));

        assertThat(writer.calls).as("writer calls").hasValue(0);
        assertSameBytes(content(store.get("t/x")), original);
    }

    @Test
    @DisplayName("a writer that fails midway leaves nothing under the key, and its exception reaches the caller as is")
    void writerThrows() throws Exception {
        IllegalStateException failure = new IllegalStateException("source went away");
        ObjectWriter writer = out -> {
            out.write(randomBytes(300 << 10, 14));
            throw failure;
        };

        assertThatThrownBy(() -> store.putIfAbsent("f/x", writer)).isSameAs(failure);

        assertThat(store.head("f/x")).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertNoLeftovers();
        byte[] bytes = {7};
        assertThat(store.putIfAbsent("f/x", writing(bytes))).as("a retry").isEqualTo(new PutResult.Created());
        assertThat(content(store.get("f/x"))).containsExactly(bytes);
    }

    @Test
    @DisplayName("an IOException from a writer is a retryable StorageException and leaves nothing under the key")
    void writerIoFailure() throws Exception {
        IOException failure = new IOException("encoder failed");
        ObjectWriter writer = out -> {
            out.write(randomBytes(1000, 15));
            throw failure;
        };

        assertThatThrownBy(() -> store.putIfAbsent("f/y", writer)).isInstanceOfSatisfying(StorageException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(StorageException.Kind.IO);
                    assertThat(e.getCause()).isSameAs(failure);
                    assertThat(e.getMessage()).contains("f/y", "encoder failed");
                });

        assertThat(store.head("f/y")).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertNoLeftovers();
    }

    @Test
    @DisplayName("a missing key is empty for head and get, and false for delete")
    void missingKey() throws Exception {
        store.putIfAbsent("present/one", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1}));

        for (String key : List.of("absent", "present/two", "nowhere/deep/key")) {
            assertThat(store.head(key)).as(key).isEmpty();
            assertThat(store.get(key)).as(key).isEmpty();
            assertThat(store.delete(key)).as(key).isFalse();
        }
    }

    static Stream<String> invalidKeys() {
        return Stream.of("../x", "a/../../x", "/abs", "a//b", "a/", ".hidden", "a/.hidden", "a/./b", ".", "..", "",
                "a\\b", "a b", "ä", "x".repeat(129), ("abcdefgh/").repeat(57) + "x");
    }

    @ParameterizedTest
    @MethodSource("invalidKeys")
    @DisplayName("an invalid key is refused by every operation and nothing is written")
    void invalidKey(String key) throws Exception {
        byte[] bytes = {42};
        Path file = Files.write(scratch.resolve("in"), bytes);

        assertInvalid(() -> store.putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes)));
        assertInvalid(() -> store.putIfAbsent(key, file, ObjectMeta.ofPlain(bytes)));
        CountingWriter writer = new CountingWriter(bytes, ObjectMeta.ofPlain(bytes));
        assertInvalid(() -> store.putIfAbsent(key, writer));
        assertThat(writer.calls).as("writer calls").hasValue(0);
        assertInvalid(() -> store.head(key));
        assertInvalid(() -> store.get(key));
        assertInvalid(() -> store.delete(key));

        assertThat(store.list("")).isEmpty();
        assertNothingStoredOutsideObjects();
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.INVALID_KEY));
    }

    @Test
    @DisplayName("list returns the keys under a prefix in ascending order, also for a prefix ending mid-component")
    void listByPrefix() throws Exception {
        List<String> keys = List.of("x/b", "x/ab/c", "x/a", "x/A", "y/1/2/3", "x/a.partial", "xyz");
        for (String key : keys) {
            store.putIfAbsent(key, key.getBytes(), ObjectMeta.ofPlain(key.getBytes()));
        }

        assertThat(store.list("")).containsExactly("x/A", "x/a", "x/a.partial", "x/ab/c", "x/b", "xyz", "y/1/2/3");
        assertThat(store.list("x")).containsExactly("x/A", "x/a", "x/a.partial", "x/ab/c", "x/b", "xyz");
        assertThat(store.list("x/")).containsExactly("x/A", "x/a", "x/a.partial", "x/ab/c", "x/b");
        assertThat(store.list("x/a")).containsExactly("x/a", "x/a.partial", "x/ab/c");
        assertThat(store.list("x/ab/")).containsExactly("x/ab/c");
        assertThat(store.list("y/1/2/3")).containsExactly("y/1/2/3");
        assertThat(store.list("z")).isEmpty();
        assertThat(store.list("y/2/")).isEmpty();
        // No key can start with these, and a backend walking paths must not leave the repository to find out.
        assertThat(store.list("../")).isEmpty();
        assertThat(store.list("/")).isEmpty();
    }

    @Test
    @DisplayName("listWithInfo lists the same keys in the same order as list; a time, if given, is when it was stored")
    void listWithInfo() throws Exception {
        // Whole seconds either side: file systems and S3 keep coarse timestamps, hosts and stores differ a little.
        java.time.Instant before = java.time.Instant.now().minusSeconds(2);
        for (String key : List.of("i/b", "i/a/1", "i/a/2", "j")) {
            store.putIfAbsent(key, key.getBytes(), ObjectMeta.ofPlain(key.getBytes()));
        }
        java.time.Instant after = java.time.Instant.now().plusSeconds(2);

        List<ListedObject> listed = store.listWithInfo("i/");
        assertThat(listed).extracting(ListedObject::key).containsExactlyElementsOf(store.list("i/"))
                .containsExactly("i/a/1", "i/a/2", "i/b");
        for (ListedObject o : listed) {
            o.lastModified().ifPresent(t -> assertThat(t).isBetween(before, after));
            assertThat(o.lastModified().isPresent()).as("stored time of %s", o.key()).isEqualTo(listsStoredTimes());
        }
        assertThat(store.listWithInfo("nothing/")).isEmpty();
        assertThat(store.listWithInfo("../")).isEmpty();
    }

    @Test
    @DisplayName("a deleted object is gone, and the key can be used again")
    void delete() throws Exception {
        byte[] first = {1, 2};
        byte[] second = {3, 4, 5};
        store.putIfAbsent("del/k", first, ObjectMeta.ofPlain(first));
        store.putIfAbsent("del/keep", first, ObjectMeta.ofPlain(first));

        assertThat(store.delete("del/k")).isTrue();

        assertThat(store.head("del/k")).isEmpty();
        assertThat(store.get("del/k")).isEmpty();
        assertThat(store.list("")).containsExactly("del/keep");
        assertThat(store.delete("del/k")).isFalse();
        assertThat(store.putIfAbsent("del/k", second, ObjectMeta.ofPlain(second))).isEqualTo(new PutResult.Created());
        assertThat(content(store.get("del/k"))).containsExactly(second);
    }

    @Test
    @DisplayName("cleanAbandonedUploads removes what an interrupted put left once older than asked, never an object; "
            + "a dry run only counts")
    void abandonedUploads() throws Exception {
        byte[] bytes = randomBytes(1000, 8);
        store.putIfAbsent("kept/a", bytes, ObjectMeta.ofPlain(bytes));
        assertThat(store.cleanAbandonedUploads(Duration.ZERO, false)).as("after whole puts").isZero();
        long left = abandonAnUpload("kept/b") ? 1 : 0;
        Thread.sleep(20); // so the leftover is older than a zero age, whatever the clock's resolution

        assertThat(store.cleanAbandonedUploads(Duration.ofHours(1), false)).as("younger than asked").isZero();
        assertThat(store.cleanAbandonedUploads(Duration.ZERO, true)).as("dry run").isEqualTo(left);
        assertThat(store.cleanAbandonedUploads(Duration.ZERO, false)).isEqualTo(left);
        assertThat(store.cleanAbandonedUploads(Duration.ZERO, true)).as("nothing left").isZero();
        assertThat(store.list("")).containsExactly("kept/a");
        assertSameBytes(content(store.get("kept/a")), bytes);
    }

    @Test
    @DisplayName("cleanLeftoversOfDeadWriters removes what exited writers left, never an object nor what a live "
            + "writer may still use")
    void leftoversOfDeadWriters() throws Exception {
        byte[] bytes = randomBytes(1000, 9);
        store.putIfAbsent("kept/a", bytes, ObjectMeta.ofPlain(bytes));
        assertThat(store.cleanLeftoversOfDeadWriters()).as("after whole puts").isZero();
        long dead = abandonAnUploadOfDeadWriter("kept/b") ? 1 : 0;
        long live = abandonAnUpload("kept/c") ? 1 : 0; // by this very process, so not provably dead

        assertThat(store.cleanLeftoversOfDeadWriters()).isEqualTo(dead);
        assertThat(store.cleanLeftoversOfDeadWriters()).as("nothing left").isZero();
        assertThat(store.list("")).containsExactly("kept/a");
        assertSameBytes(content(store.get("kept/a")), bytes);
        Thread.sleep(20);
        assertThat(store.cleanAbandonedUploads(Duration.ZERO, true)).as("the live writer's file").isEqualTo(live);
    }

    @Test
    @DisplayName("close is idempotent and location names the store")
    void closeTwice() {
        assertThat(store.location()).isNotBlank();
        store.close();
        store.close();
    }

    @Test
    @DisplayName("of 8 threads racing to put different content under one key, exactly one wins and all see its object")
    void racingDifferentContent() throws Exception {
        for (int round = 0; round < 5; round++) {
            race("race/" + round, racersContents(64 << 10, 100 * round));
        }
    }

    @Test
    @DisplayName("of 8 threads racing to put identical content under one key, exactly one creates it and it stays readable")
    void racingIdenticalContent() throws Exception {
        for (int round = 0; round < 5; round++) {
            byte[] bytes = randomBytes(64 << 10, round);
            race("same/" + round, java.util.Collections.nCopies(RACERS, bytes));
        }
    }

    @Test
    @DisplayName("of 8 threads racing to put through writers under one key, exactly one wins and all see its object")
    void racingWriters() throws Exception {
        for (int round = 0; round < 5; round++) {
            race("writers/" + round, racersContents(300 << 10, 1000 + 100 * round),
                    (key, bytes) -> store.putIfAbsent(key, writing(bytes)));
        }
    }

    /** Different content for each racer. */
    private static List<byte[]> racersContents(int size, long firstSeed) {
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            contents.add(randomBytes(size, firstSeed + i));
        }
        return contents;
    }

    /** One racer's put of {@code bytes}. */
    @FunctionalInterface
    private interface Put {
        PutResult put(String key, byte[] bytes) throws Exception;
    }

    private void race(String key, List<byte[]> contents) throws Exception {
        race(key, contents, (k, bytes) -> store.putIfAbsent(k, bytes, ObjectMeta.ofPlain(bytes)));
    }

    private void race(String key, List<byte[]> contents, Put put) throws Exception {
        CyclicBarrier start = new CyclicBarrier(contents.size());
        List<Future<PutResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(contents.size())) {
            for (byte[] bytes : contents) {
                results.add(pool.submit(() -> {
                    start.await();
                    return put.put(key, bytes);
                }));
            }
        }
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).get() instanceof PutResult.Created) {
                winners.add(i);
            }
        }
        assertThat(winners).as("threads that got Created for " + key).hasSize(1);
        byte[] winner = contents.get(winners.getFirst());
        for (int i = 0; i < results.size(); i++) {
            if (i != winners.getFirst()) {
                assertThat(results.get(i).get()).as("result of thread " + i)
                        .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(winner)));
            }
        }
        assertThat(store.head(key)).contains(ObjectMeta.ofPlain(winner));
        assertSameBytes(content(store.get(key)), winner);
    }

    /** Writes {@code bytes} as a caller would (one byte, then uneven chunks) and reports them as plain content. */
    public static ObjectWriter writing(byte[] bytes) {
        return new CountingWriter(bytes, ObjectMeta.ofPlain(bytes));
    }

    /** A writer of fixed bytes and metadata that counts its calls. */
    private static final class CountingWriter implements ObjectWriter {
        final AtomicInteger calls = new AtomicInteger();
        private final byte[] bytes;
        private final ObjectMeta meta;

        CountingWriter(byte[] bytes, ObjectMeta meta) {
            this.bytes = bytes;
            this.meta = meta;
        }

        @Override
        public ObjectMeta writeTo(OutputStream out) throws IOException {
            calls.incrementAndGet();
            if (bytes.length > 0) {
                out.write(bytes[0]);
            }
            for (int off = 1; off < bytes.length; off += 100_003) {
                out.write(bytes, off, Math.min(100_003, bytes.length - off));
            }
            return meta;
        }
    }
}
