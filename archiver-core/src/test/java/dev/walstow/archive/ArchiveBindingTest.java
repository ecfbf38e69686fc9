package dev.walstow.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.daemon.TestWal;
import dev.walstow.error.DataError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.WalRejected;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ForwardingObjectStore;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.XLogLongPageHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How often push and get read the repository's binding, and what they do when a WAL file does not match it. */
class ArchiveBindingTest {
    private static final ClusterIdentity OTHER = new ClusterIdentity(42, 15, TestWal.SIZE);

    @TempDir
    Path tmp;
    private final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));
    private Counting store;
    private Repository repository;

    @BeforeEach
    void repository() {
        store = new Counting(new InMemoryObjectStore());
        repository = new Repository(store);
    }

    private void bindTo(ClusterIdentity cluster, String createdAt) {
        assertThat(repository.writeBinding(RepositoryBinding.of(cluster, createdAt, "test")))
                .isEqualTo(new PutResult.Created());
    }

    /** {@code walstow init} again, after the repository was emptied. */
    private void reinitialise(ClusterIdentity cluster) throws StorageException {
        store.delete(RepositoryLayout.BINDING_KEY);
        bindTo(cluster, "2026-06-01T00:00:00Z");
    }

    private Path wal(SegmentName name, ClusterIdentity cluster) throws IOException {
        byte[] bytes = TestWal.segment(name, 1);
        XLogLongPageHeader.firstPageOf(name, cluster).writeTo(bytes);
        return Files.write(Files.createDirectories(tmp.resolve("pg_wal")).resolve(name.fileName()), bytes);
    }

    @Test
    @DisplayName("one handle reads repository.json once, when it is opened, however many files it pushes and gets")
    void bindingReadOncePerHandle() throws Exception {
        bindTo(TestWal.CLUSTER, "2026-01-01T00:00:00Z");
        BoundRepository bound = BoundRepository.open(repository, codec);
        ArchivePush push = new ArchivePush(bound);
        ArchiveGet get = new ArchiveGet(bound);

        for (int i = 1; i <= 8; i++) {
            SegmentName name = TestWal.seg(1, i);
            assertThat(push.push(name, wal(name, TestWal.CLUSTER)).alreadyArchived()).isFalse();
            assertThat(get.get(name, tmp.resolve("RECOVERYXLOG"))).isEqualTo(ArchiveGet.Outcome.FETCHED);
        }
        assertThat(get.get(TestWal.seg(1, 9), tmp.resolve("RECOVERYXLOG"))).isEqualTo(ArchiveGet.Outcome.NOT_FOUND);

        assertThat(store.bindingReads).as("GETs of repository.json").hasValue(1);
    }

    @Test
    @DisplayName("WAL of another cluster is refused after one more read of the binding, and nothing is stored")
    void foreignWalRefusedAfterOneReread() throws Exception {
        bindTo(TestWal.CLUSTER, "2026-01-01T00:00:00Z");
        List<RepositoryBinding> rebound = new ArrayList<>();
        BoundRepository bound = BoundRepository.open(repository, codec);
        bound.onRebound(rebound::add);
        SegmentName name = TestWal.seg(1, 1);

        assertThatThrownBy(() -> new ArchivePush(bound).push(name, wal(name, OTHER)))
                .isInstanceOf(WalRejected.class).hasMessageContaining("WAL from another cluster");

        assertThat(store.bindingReads).as("GETs of repository.json: at open, and once more before refusing")
                .hasValue(2);
        assertThat(store.head(RepositoryLayout.keyOf(name))).isEmpty();
        assertThat(rebound).isEmpty();
        assertThat(bound.binding().identity()).isEqualTo(TestWal.CLUSTER);
    }

    @Test
    @DisplayName("a repository re-initialised for the WAL's cluster since the handle was opened: the new binding is "
            + "adopted, the listener told once, and the files pushed and fetched")
    void reinitialisedRepositoryAdopted() throws Exception {
        bindTo(OTHER, "2026-01-01T00:00:00Z");
        List<RepositoryBinding> rebound = new ArrayList<>();
        BoundRepository bound = BoundRepository.open(repository, codec);
        String before = bound.identity();
        bound.onRebound(rebound::add);
        reinitialise(TestWal.CLUSTER);

        for (int i = 1; i <= 3; i++) {
            SegmentName name = TestWal.seg(1, i);
            new ArchivePush(bound).push(name, wal(name, TestWal.CLUSTER));
            assertThat(new ArchiveGet(bound).get(name, tmp.resolve("RECOVERYXLOG")))
                    .isEqualTo(ArchiveGet.Outcome.FETCHED);
        }

        assertThat(rebound).singleElement().satisfies(b -> assertThat(b.identity()).isEqualTo(TestWal.CLUSTER));
        assertThat(bound.binding().identity()).isEqualTo(TestWal.CLUSTER);
        assertThat(bound.identity()).isNotEqualTo(before);
        assertThat(store.bindingReads).as("GETs of repository.json: at open, and at the first mismatch").hasValue(2);
    }

    @Test
    @DisplayName("an archived segment of another cluster is refused by get as damaged or foreign, after one more read "
            + "of the binding")
    void foreignObjectRefusedByGet() throws Exception {
        bindTo(OTHER, "2026-01-01T00:00:00Z");
        SegmentName name = TestWal.seg(1, 1);
        new ArchivePush(BoundRepository.open(repository, codec)).push(name, wal(name, OTHER));
        reinitialise(TestWal.CLUSTER);
        store.bindingReads.set(0);
        BoundRepository bound = BoundRepository.open(repository, codec);

        assertThatThrownBy(() -> new ArchiveGet(bound).get(name, tmp.resolve("RECOVERYXLOG")))
                .isInstanceOf(DataError.class).hasMessageContaining("fails validation");

        assertThat(tmp.resolve("RECOVERYXLOG")).doesNotExist();
        assertThat(store.bindingReads).hasValue(2);
    }

    @Test
    @DisplayName("a binding that cannot be read again keeps the refusal: WAL is never accepted without a binding "
            + "that says so")
    void unreadableRereadKeepsRefusal() throws Exception {
        bindTo(TestWal.CLUSTER, "2026-01-01T00:00:00Z");
        BoundRepository bound = BoundRepository.open(repository, codec);
        store.bindingUnreachable = true;
        SegmentName name = TestWal.seg(1, 1);

        assertThatThrownBy(() -> new ArchivePush(bound).push(name, wal(name, OTHER)))
                .isInstanceOfSatisfying(WalRejected.class, e -> assertThat(e.getSuppressed())
                        .singleElement().isInstanceOf(RepositoryError.class));

        assertThat(store.head(RepositoryLayout.keyOf(name))).isEmpty();
    }

    @Test
    @DisplayName("a push makes one attempt: a failing store is asked once, and the failure is the caller's to retry")
    void pushMakesOneAttempt() throws Exception {
        bindTo(TestWal.CLUSTER, "2026-01-01T00:00:00Z");
        ArchivePush push = new ArchivePush(BoundRepository.open(repository, codec));
        store.failPuts = true;
        SegmentName name = TestWal.seg(1, 1);

        assertThatThrownBy(() -> push.push(name, wal(name, TestWal.CLUSTER)))
                .isInstanceOfSatisfying(RepositoryError.class, e -> assertThat(e.retryable()).isTrue());

        assertThat(store.puts).hasValue(1);
    }

    /** Counts GETs of repository.json and streamed puts; can fail either. */
    private static final class Counting extends ForwardingObjectStore {
        final AtomicInteger bindingReads = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        volatile boolean bindingUnreachable;
        volatile boolean failPuts;

        Counting(InMemoryObjectStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<StoredObject> get(String key) throws StorageException {
            if (key.equals(RepositoryLayout.BINDING_KEY)) {
                bindingReads.incrementAndGet();
                if (bindingUnreachable) {
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, "connection refused");
                }
            }
            return delegate.get(key);
        }

        @Override
        public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
            puts.incrementAndGet();
            if (failPuts) {
                throw new StorageException(StorageException.Kind.IO, "connection reset by peer");
            }
            return delegate.putIfAbsent(key, writer);
        }
    }
}
