package dev.walstow.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The whole validated configuration, immutable. Built once at start-up by {@link ConfigLoader}; nothing reads the
 * file after that. docs/configuration.md documents every key.
 */
public record WalstowConfig(
        Path source,
        RepositoryConfig repository,
        CompressionConfig compression,
        EncryptionConfig encryption,
        PostgresConfig postgres,
        RetryConfig retry) {

    /** Where archived objects live. Only {@code posix} for now; the sealed type makes new backends explicit. */
    public sealed interface RepositoryConfig {
        record Posix(Path path) implements RepositoryConfig {}
    }

    /** @param level zstd level; 1 by default (measured on real WAL: see docs/benchmarks.md) */
    public record CompressionConfig(int level) {}

    /**
     * Encryption keys. Modes: {@code recipient} (+ {@code secret} where restoring) = OpenPGP public-key; only
     * {@code passphrase-file} = symmetric; nothing set = no encryption (must be said explicitly with
     * {@code enabled = false}, so that a forgotten key never silently stores WAL in the clear).
     */
    public record EncryptionConfig(
            boolean enabled, Optional<Path> recipient, Optional<Path> secret, Optional<Path> passphraseFile) {}

    /** @param data the cluster's data directory (for {@code init} and to locate pg_wal); empty: the current directory */
    public record PostgresConfig(Optional<Path> data) {}

    /**
     * Bounded retries of one repository operation within one command.
     *
     * @param attempts total tries, at least 1
     * @param initialBackoff wait before the second try; doubled each time, with jitter, capped at {@code maxBackoff}
     */
    public record RetryConfig(int attempts, Duration initialBackoff, Duration maxBackoff) {}
}
