package dev.walstow.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.daemon.TestWal;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.WalRejected;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ForwardingObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.SegmentName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** archive-push into a posix repository, which streams each encoded segment into its temporary file. */
class ArchivePushTest {
    private static final SegmentName SEG = TestWal.seg(1, 1);

    @TempDir
    Path tmp;
    private Path repoDir;
    private Interposed store;
    private Repository repository;
    private final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));
    private ArchivePush push;

    @BeforeEach
    void boundRepository() throws IOException {
        repoDir = Files.createDirectory(tmp.resolve("repo"));
        store = new Interposed(new PosixObjectStore(repoDir));
        repository = new Repository(store);
        repository.writeBinding(RepositoryBinding.of(TestWal.CLUSTER, "2026-11-21T00:00:00Z", "test"));
        push = new ArchivePush(BoundRepository.open(repository, codec));
    }

    private Path walFile(long seed) throws IOException {
        return Files.write(Files.createDirectories(tmp.resolve("pg_wal" + seed)).resolve(SEG.fileName()),
                TestWal.segment(SEG, seed));
    }

    @Test
    @DisplayName("a pushed segment is stored under its key, reports the stored object's size, and decodes back")
    void pushStores() throws Exception {
        Path source = walFile(1);

        ArchivePush.Outcome outcome = push.push(SEG, source);

        String key = RepositoryLayout.keyOf(SEG);
        ObjectMeta meta = store.head(key).orElseThrow();
        assertThat(outcome.alreadyArchived()).isFalse();
        assertThat(outcome.plainSize()).isEqualTo(Files.size(source)).isEqualTo(meta.plainSize());
        assertThat(outcome.sha256()).isEqualTo(meta.sha256()).isEqualTo(LocalWalFile.sha256(source));
        assertThat(meta.codec()).isEqualTo(codec.codecName());
        assertThat(decoded(key, outcome.storedSize())).isEqualTo(Files.readAllBytes(source));
        assertThat(store.writerCalls).hasValue(1);
    }

    @Test
    @DisplayName("a second push of identical content is already archived and encodes nothing")
    void identicalRepush() throws Exception {
        Path source = walFile(1);
        push.push(SEG, source);

        ArchivePush.Outcome again = push.push(SEG, source);

        assertThat(again.alreadyArchived()).isTrue();
        assertThat(again.sha256()).isEqualTo(LocalWalFile.sha256(source));
        assertThat(store.writerCalls).as("encodings").hasValue(1);
    }

    @Test
    @DisplayName("different content under an archived name is refused as a duplicate and the archived copy kept")
    void differentContentRefused() throws Exception {
        Path first = walFile(1);
        push.push(SEG, first);
        Path other = walFile(2);

        assertDuplicate(() -> push.push(SEG, other), first, other);
        assertThat(decoded(RepositoryLayout.keyOf(SEG), -1)).isEqualTo(Files.readAllBytes(first));
    }

    @Test
    @DisplayName("a name taken between the check and the store is compared by SHA-256 without encoding: identical "
            + "is archived, different is refused")
    void takenBeforePut() throws Exception {
        assertTakenNameCompared(action -> store.beforePut = action);
        assertThat(store.writerCalls).as("encodings").hasValue(0);
    }

    @Test
    @DisplayName("a name taken while encoding (a lost race) is compared by the SHA-256 just computed: identical is "
            + "archived, different is refused")
    void takenWhileEncoding() throws Exception {
        assertTakenNameCompared(action -> store.afterWrite = action);
        assertThat(store.writerCalls).as("encodings").hasValue(2);
    }

    /** Pushes twice, another server taking the name through {@code takeName} with identical, then other content. */
    private void assertTakenNameCompared(Consumer<Action> takeName) throws Exception {
        Path source = walFile(1);
        takeName.accept(key -> storeAsAnotherServer(key, 1));

        assertThat(push.push(SEG, source).alreadyArchived()).isTrue();

        store.delete(RepositoryLayout.keyOf(SEG));
        takeName.accept(key -> storeAsAnotherServer(key, 2));
        assertDuplicate(() -> push.push(SEG, source), walFile(2), source);
    }

    /** What another server pushing seed's content would leave; only the SHA-256 of the plaintext is compared. */
    private void storeAsAnotherServer(String key, long seed) throws StorageException {
        byte[] plain = TestWal.segment(SEG, seed);
        assertThat(store.putIfAbsent(key, plain, ObjectMeta.ofPlain(plain))).isEqualTo(new PutResult.Created());
    }

    @Test
    @DisplayName("a store failure midway is retried by opening and encoding the source afresh, leaving one object")
    void retryReencodes() throws Exception {
        Path source = walFile(1);
        store.failingWrites = 1;
        Retrier retrier = new Retrier(new RetryConfig(3, Duration.ofMillis(1), Duration.ofMillis(1)), d -> {});

        ArchivePush.Outcome outcome = retrier.call("pushing", () -> push.push(SEG, source));

        assertThat(store.writerCalls).as("encodings").hasValue(2);
        assertThat(outcome.alreadyArchived()).isFalse();
        assertThat(decoded(RepositoryLayout.keyOf(SEG), outcome.storedSize())).isEqualTo(Files.readAllBytes(source));
        assertThat(hiddenFiles()).as("temporary and data files").hasSize(1);
    }

    @Test
    @DisplayName("a source that cannot be read while encoding is a local error, not retried, and stores nothing")
    void unreadableSource() throws Exception {
        Path source = walFile(1);
        // Validated as a file, then replaced by a directory: opening works, reading fails (EISDIR).
        store.beforePut = key -> {
            Files.delete(source);
            Files.createDirectory(source);
        };

        assertThatThrownBy(() -> push.push(SEG, source)).isInstanceOfSatisfying(LocalIoError.class,
                e -> assertThat(e.getMessage()).contains("cannot read " + source));

        assertThat(store.writerCalls).as("encodings").hasValue(1);
        assertThat(store.head(RepositoryLayout.keyOf(SEG))).isEmpty();
        assertThat(hiddenFiles()).as("temporary files").isEmpty();
    }

    private static void assertDuplicate(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Path archived,
            Path local) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WalRejected.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE);
            assertThat(e.getMessage()).contains(SEG.fileName() + " is already archived in", "with different content",
                    "archived sha256 " + LocalWalFile.sha256(archived), "local sha256 " + LocalWalFile.sha256(local));
        });
    }

    /** The object under {@code key}, decoded; checks its stored size unless {@code storedSize} is negative. */
    private byte[] decoded(String key, long storedSize) throws Exception {
        try (StoredObject object = store.get(key).orElseThrow()) {
            byte[] stored = object.content().readAllBytes();
            if (storedSize >= 0) {
                assertThat((long) stored.length).as("stored size").isEqualTo(storedSize);
            }
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            codec.decode(new ByteArrayInputStream(stored), plain);
            return plain.toByteArray();
        }
    }

    private List<Path> hiddenFiles() throws IOException {
        try (Stream<Path> all = Files.walk(repoDir.resolve("wal"))) {
            return all.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    /** Something a test does just before a streamed put, as another server or an operator could. */
    @FunctionalInterface
    private interface Action {
        void run(String key) throws Exception;
    }

    /**
     * A posix store that counts the push's writer calls, can act before a streamed put or once its writer is done
     * (each action once), and can break the first writes.
     */
    private static final class Interposed extends ForwardingObjectStore {
        final AtomicInteger writerCalls = new AtomicInteger();
        volatile Action beforePut = key -> {};
        volatile Action afterWrite = key -> {};
        volatile int failingWrites;

        Interposed(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
            run(beforePut, key);
            beforePut = k -> {};
            return delegate.putIfAbsent(key, out -> {
                int call = writerCalls.incrementAndGet();
                ObjectMeta meta = writer.writeTo(call <= failingWrites ? new BreaksAfter(out, 10_000) : out);
                run(afterWrite, key);
                afterWrite = k -> {};
                return meta;
            });
        }

        private static void run(Action action, String key) {
            try {
                action.run(key);
            } catch (Exception e) {
                throw new AssertionError("the test's action during the put failed", e);
            }
        }
    }

    /** A connection that drops after {@code limit} bytes. */
    private static final class BreaksAfter extends FilterOutputStream {
        private long left;

        BreaksAfter(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new IOException("Connection reset by peer");
            }
            left -= len;
            out.write(b, off, len);
        }
    }
}
