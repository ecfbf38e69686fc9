package dev.walstow.daemon;

import dev.walstow.daemon.spool.ConfigStamp;
import dev.walstow.daemon.spool.SpoolLayout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.archive.ArchiveGet;
import dev.walstow.archive.ArchivePush;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryIdentity;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A data directory, a posix repository bound to {@link TestWal#CLUSTER}, and a daemon over them. */
final class DaemonFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(3);

    final Path data;
    final Path repoDir;
    final CountingStore store;
    final Repository repository;
    /** The repository as the fixture's own direct pushes and gets see it (its binding read once, here). */
    final BoundRepository bound;
    final WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.None()));
    final SpoolLayout layout;
    private Daemon daemon;
    private RequestHandler handler;

    DaemonFixture(Path temp) {
        try {
            data = Files.createDirectories(temp.resolve("data"));
            Files.writeString(data.resolve("PG_VERSION"), "15\n");
            Files.createDirectories(data.resolve("pg_wal/archive_status"));
            repoDir = Files.createDirectories(temp.resolve("repo"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = new CountingStore(new PosixObjectStore(repoDir));
        repository = new Repository(store);
        RepositoryBinding binding = RepositoryBinding.of(TestWal.CLUSTER, "2025-01-01T00:00:00Z", "test");
        repository.writeBinding(binding);
        bound = BoundRepository.open(repository, codec);
        // The state directory the daemon will use: this repository's (see RepositoryIdentity).
        layout = new SpoolLayout(data).forRepository(RepositoryIdentity.of(repository.location(), binding));
    }

    static WalstowConfig config(int concurrency, int prefetch) {
        return new WalstowConfig(Path.of("test.toml"), new WalstowConfig.RepositoryConfig.Posix(Path.of("/unused")),
                new WalstowConfig.CompressionConfig(1),
                new WalstowConfig.EncryptionConfig(false, Optional.empty(), Optional.empty(), Optional.empty()),
                new WalstowConfig.PostgresConfig(Optional.empty(), "/var/run/postgresql", 5432, "postgres",
                        "postgres", Optional.empty()),
                new RetryConfig(2, Duration.ofMillis(20), Duration.ofMillis(200)),
                new DaemonConfig(concurrency, prefetch, WAIT, Duration.ofSeconds(2), Duration.ofMillis(700), List.of(),
                        DaemonConfig.Fallback.IN_PROCESS, Duration.ofSeconds(5)));
    }

    RequestHandler start(int concurrency, int prefetch) {
        return start(config(concurrency, prefetch));
    }

    /**
     * With the metrics endpoint on an ephemeral loopback port and the given RPO (no SQL: the guard is off), reading
     * the repository's records of backup, expire and verify every 200 ms.
     */
    RequestHandler startWithMetrics(Duration rpo) {
        WalstowConfig c = config(1, 0);
        return start(new WalstowConfig(c.source(), c.repository(), c.compression(), c.encryption(), c.postgres(),
                c.retry(), c.daemon(), c.backup(), new WalstowConfig.MetricsConfig(true, "127.0.0.1", 0),
                new WalstowConfig.GuardConfig(rpo, false), c.log()), Optional.empty(),
                new Daemon.Timings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), 0,
                        Duration.ofMillis(200)));
    }

    RequestHandler start(WalstowConfig config) {
        return start(config, Optional.empty());
    }

    /** As {@code walstow daemon} runs: with a configuration file, published in serving and watched. */
    RequestHandler startWithConfigFile(ConfigStamp stamp) {
        return start(config(1, 2), Optional.of(stamp));
    }

    private RequestHandler start(WalstowConfig config, Optional<ConfigStamp> stamp) {
        return start(config, stamp,
                new Daemon.Timings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100)));
    }

    private RequestHandler start(WalstowConfig config, Optional<ConfigStamp> stamp, Daemon.Timings timings) {
        daemon = new Daemon(config, stamp, data, repository, codec, timings, Optional.empty());
        handler = daemon.start();
        return handler;
    }

    Daemon daemon() {
        return daemon;
    }

    /** PostgreSQL finished NAME: the segment in pg_wal and its .ready file. */
    byte[] ready(WalFileName name, long seed) {
        byte[] bytes = content(name, seed);
        try {
            Files.write(data.resolve("pg_wal").resolve(name.fileName()), bytes);
            Files.createFile(data.resolve("pg_wal/archive_status").resolve(name.fileName() + ".ready"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    static byte[] content(WalFileName name, long seed) {
        return switch (name) {
            case dev.walstow.wal.SegmentName s -> TestWal.segment(s, seed);
            case dev.walstow.wal.PartialName p -> TestWal.segment(p.segment(), seed);
            default -> ("1\t0/" + Long.toHexString(0x3000000 + seed) + "\tno recovery target specified\n")
                    .getBytes(StandardCharsets.US_ASCII);
        };
    }

    /** Archives NAME directly (as another server would have), bypassing the daemon. */
    byte[] archive(WalFileName name, long seed) {
        byte[] bytes = content(name, seed);
        try {
            Path dir = Files.createDirectories(data.getParent().resolve("elsewhere"));
            Path file = dir.resolve(name.fileName());
            Files.write(file, bytes);
            new ArchivePush(bound).push(name, file);
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    /** What the repository holds for NAME, restored and verified by ArchiveGet. */
    Optional<byte[]> restore(WalFileName name) {
        try {
            Path dir = Files.createDirectories(data.getParent().resolve("restored"));
            Path file = dir.resolve(name.fileName());
            Files.deleteIfExists(file);
            ArchiveGet.Outcome outcome = new ArchiveGet(bound).get(name, file);
            return outcome == ArchiveGet.Outcome.FETCHED ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String key(WalFileName name) {
        return RepositoryLayout.keyOf(name);
    }

    Reply push(WalFileName name) {
        return call(new Request(Request.Kind.PUSH, name.fileName(), "pg_wal/" + name.fileName(), data.toString()));
    }

    Reply get(WalFileName name, String destination) {
        return call(new Request(Request.Kind.GET, name.fileName(), "pg_wal/" + destination, data.toString()));
    }

    Reply call(Request request) {
        try {
            return handler.handle(request).get(WAIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no reply to " + request, e);
        }
    }

    Path pgWal(String name) {
        return data.resolve("pg_wal").resolve(name);
    }

    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** As {@link #await(String, Duration, BooleanSupplier)}, saying what was last seen. */
    static <T> void await(String what, Duration limit, java.util.function.Supplier<T> state,
            java.util.function.Predicate<T> condition) {
        Object[] last = new Object[1];
        try {
            await(what, limit, () -> condition.test((T) (last[0] = state.get())));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen " + last[0], e);
        }
    }

    static void assertOk(Reply reply) {
        assertThat(reply.status()).as(reply.reason()).isEqualTo(Reply.Status.OK);
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.shutdown(Duration.ofSeconds(2));
        }
    }
}
