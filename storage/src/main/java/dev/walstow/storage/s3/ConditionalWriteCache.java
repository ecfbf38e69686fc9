package dev.walstow.storage.s3;

import dev.walstow.agent.Failures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers across processes what {@link ConditionalWriteProbe} found out about a store, so that an archive-push
 * run in its own JVM (daemon down) does not probe again on every call (two PUTs and a DELETE each time).
 *
 * <p>One small file per store in a directory only the PostgreSQL OS user can enter (the daemon's spool,
 * {@code pg_wal/.walstow/}): {@code s3-conditional-write-<hash of the location>}, whose first line is the answer
 * and second the store's location ({@code s3://bucket/prefix/ at endpoint}), checked on reading. The file's mtime is
 * when the store was probed; an answer older than {@link #MAX_AGE} is probed again, so a store that changed (an
 * upgrade, another endpoint behind the same name) is noticed within a day. A store that refuses a conditional
 * write it was remembered to honour makes the put {@link #forget} the answer at once.
 *
 * <p>Only ever a shortcut: a file that cannot be read, written or understood means "not known", and the store is
 * probed as without a cache. Writers replace the file atomically, so concurrent pushes never read half of one.
 */
public final class ConditionalWriteCache {
    private static final Logger LOG = LoggerFactory.getLogger(ConditionalWriteCache.class);
    /** How long an answer is trusted before the store is probed again. */
    public static final Duration MAX_AGE = Duration.ofDays(1);
    private static final String HONOURED = "if-none-match";
    private static final String IGNORED = "head";

    private final Optional<Path> directory;

    private ConditionalWriteCache(Optional<Path> directory) {
        this.directory = directory;
    }

    /** No cache: every store instance probes for itself (the daemon, tests). */
    public static ConditionalWriteCache none() {
        return new ConditionalWriteCache(Optional.empty());
    }

    /** A cache in {@code directory}, created (mode 0700) on the first answer if missing. */
    public static ConditionalWriteCache in(Path directory) {
        return new ConditionalWriteCache(Optional.of(directory));
    }

    /** The file that holds the answer for the store at {@code location} (empty without a cache). */
    Optional<Path> file(String location) {
        return directory.map(d -> d.resolve("s3-conditional-write-" + hash(location)));
    }

    /** @return whether the store at {@code location} honours {@code If-None-Match}, if known and recent */
    Optional<Boolean> recall(String location) {
        Optional<Path> file = file(location);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (Files.getLastModifiedTime(file.get()).toInstant().isBefore(Instant.now().minus(MAX_AGE))) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(file.get(), StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(1).equals(location)) {
                return Optional.empty();
            }
            return switch (lines.get(0)) {
                case HONOURED -> Optional.of(true);
                case IGNORED -> Optional.of(false);
                default -> Optional.empty();
            };
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}; probing the store instead", file.get(), e.toString());
            return Optional.empty();
        }
    }

    void remember(String location, boolean honoured) {
        Optional<Path> file = file(location);
        if (file.isEmpty()) {
            return;
        }
        Path dir = file.get().getParent();
        Path temp = dir.resolve("." + file.get().getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            Files.writeString(temp, (honoured ? HONOURED : IGNORED) + "\n" + location + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file.get(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot write {}: {}; the next process probes the store again", file.get(), e.toString());
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to do: a stray temp file is harmless
            }
        }
    }

    void forget(String location) {
        Optional<Path> file = file(location);
        if (file.isPresent()) {
            try {
                Files.deleteIfExists(file.get());
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}; delete it by hand so that the store is probed again", file.get(),
                        Failures.describe(e));
            }
        }
    }

    private static String hash(String location) {
        return dev.walstow.storage.Sha256.hex(location, 8);
    }
}
