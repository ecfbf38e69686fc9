package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.daemon.TestWal;
import dev.walstow.error.RepositoryError;
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
import dev.walstow.wal.SegmentName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** archive-push and archive-get in-process: [retry] is applied once, around whole attempts. */
class InProcessRetryTest {
    private static final int ATTEMPTS = 3;
    private static final SegmentName SEG = TestWal.seg(1, 1);

    @TempDir
    Path tmp;
    private final List<Duration> sleeps = new ArrayList<>();
    private final Retrier retrier = new Retrier(new RetryConfig(ATTEMPTS, Duration.ofMillis(1), Duration.ofMillis(1)),
            sleeps::add);
    private Failing store;
    private BoundRepository repository;

    @BeforeEach
    void boundRepository() {
        store = new Failing(new InMemoryObjectStore());
        Repository plain = new Repository(store);
        plain.writeBinding(RepositoryBinding.of(TestWal.CLUSTER, "2026-01-01T00:00:00Z", "test"));
        repository = BoundRepository.open(plain, new WalCodec(new CodecSettings(1, new Encryption.None())));
    }

    @Test
    @DisplayName("a push the store keeps failing is attempted exactly [retry] attempts times in all, then reported")
    void pushAttemptedRetryAttemptsTimes() throws Exception {
        Path source = Files.write(tmp.resolve(SEG.fileName()), TestWal.segment(SEG, 1));
        store.failing = true;

        assertThatThrownBy(() -> ArchivePushCommand.push(repository, retrier, SEG, source))
                .isInstanceOf(RepositoryError.class);

        assertThat(store.puts).as("puts").hasValue(ATTEMPTS);
        assertThat(sleeps).as("backoffs between attempts").hasSize(ATTEMPTS - 1);
    }

    @Test
    @DisplayName("a push that fails once is stored by the next attempt")
    void pushRetried() throws Exception {
        Path source = Files.write(tmp.resolve(SEG.fileName()), TestWal.segment(SEG, 1));
        store.failuresLeft.set(1);

        assertThat(ArchivePushCommand.push(repository, retrier, SEG, source).alreadyArchived()).isFalse();

        assertThat(store.puts).hasValue(2);
        assertThat(store.head(RepositoryLayout.keyOf(SEG))).isPresent();
    }

    @Test
    @DisplayName("a get the store keeps failing is attempted exactly [retry] attempts times in all, never 'not found'")
    void getAttemptedRetryAttemptsTimes() throws Exception {
        Path source = Files.write(tmp.resolve(SEG.fileName()), TestWal.segment(SEG, 1));
        ArchivePushCommand.push(repository, retrier, SEG, source);
        store.failing = true;

        assertThatThrownBy(() -> ArchiveGetCommand.get(repository, retrier, SEG, tmp.resolve("RECOVERYXLOG")))
                .isInstanceOf(RepositoryError.class);

        assertThat(store.gets).as("GETs of the segment").hasValue(ATTEMPTS);
        assertThat(tmp.resolve("RECOVERYXLOG")).doesNotExist();
    }

    /** Fails streamed puts and GETs of WAL while {@code failing}, or the next {@code failuresLeft} puts. */
    private static final class Failing extends ForwardingObjectStore {
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile boolean failing;

        Failing(InMemoryObjectStore delegate) {
            super(delegate);
        }

        @Override
        public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
            puts.incrementAndGet();
            if (failing || failuresLeft.getAndDecrement() > 0) {
                throw new StorageException(StorageException.Kind.IO, "connection reset by peer");
            }
            return delegate.putIfAbsent(key, writer);
        }

        @Override
        public Optional<StoredObject> get(String key) throws StorageException {
            if (key.startsWith("wal/")) {
                gets.incrementAndGet();
                if (failing) {
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, "connection refused");
                }
            }
            return delegate.get(key);
        }
    }
}
