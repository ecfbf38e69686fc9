package dev.walstow.config;

import dev.walstow.logging.LogSettings;
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
        RetryConfig retry,
        DaemonConfig daemon,
        BackupConfig backup,
        MetricsConfig metrics,
        GuardConfig guard,
        LogSettings log) {

    /**
     * For code that builds a configuration by hand (tests): default {@code [backup]}, {@code [guard]} and
     * {@code [log]}, and no
     * metrics endpoint, so that such code never competes for the default port.
     */
    public WalstowConfig(Path source, RepositoryConfig repository, CompressionConfig compression,
            EncryptionConfig encryption, PostgresConfig postgres, RetryConfig retry, DaemonConfig daemon) {
        this(source, repository, compression, encryption, postgres, retry, daemon, BackupConfig.defaults(),
                MetricsConfig.OFF, GuardConfig.DEFAULT, LogSettings.DEFAULT);
    }

    /** Where archived objects live; the sealed type makes new backends explicit. */
    public sealed interface RepositoryConfig {
        record Posix(Path path) implements RepositoryConfig {}

        /** An S3 bucket (AWS or S3-compatible); every {@code [repository]} key of {@code type = "s3"}. */
        record S3(dev.walstow.storage.s3.S3Settings settings) implements RepositoryConfig {}
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

    /**
     * The cluster, on disk and over SQL.
     *
     * @param data the cluster's data directory (for {@code init} and to locate pg_wal); empty: the current directory
     * @param host where to connect for SQL (backups, the RPO guard, check): a host name, or an absolute directory
     *     holding the server's Unix socket
     * @param port server port (also names the Unix socket file)
     * @param user role to connect as (least privilege: see docs/configuration.md)
     * @param database database to connect to
     * @param passwordFile file whose first line is the password; empty: none (peer/trust authentication)
     */
    public record PostgresConfig(Optional<Path> data, String host, int port, String user, String database,
            Optional<Path> passwordFile) {}

    /**
     * Bounded retries of one repository operation within one command.
     *
     * @param attempts total tries, at least 1
     * @param initialBackoff wait before the second try; doubled each time, with jitter, capped at {@code maxBackoff}
     */
    public record RetryConfig(int attempts, Duration initialBackoff, Duration maxBackoff) {}

    /**
     * The resident daemon ({@code walstow daemon}) and how agents use it.
     *
     * @param pushConcurrency segments compressed, encrypted and uploaded at once
     * @param prefetch segments fetched ahead of recovery (0 disables prefetching)
     * @param waitTimeout how long an archive-push/archive-get call waits for the daemon's answer before the daemon
     *     replies with an error (PostgreSQL then retries, or stops recovery)
     * @param operationTimeout bound on one upload or download attempt
     * @param negativeCacheTtl how long a name the repository proved missing is answered "not found" without asking
     *     again
     * @param allowedUids peers allowed on the socket besides the daemon's own uid
     * @param fallback what the agent does when no daemon answers
     * @param shutdownTimeout bound on finishing in-flight work after SIGTERM
     */
    public record DaemonConfig(
            int pushConcurrency,
            int prefetch,
            Duration waitTimeout,
            Duration operationTimeout,
            Duration negativeCacheTtl,
            java.util.List<Integer> allowedUids,
            Fallback fallback,
            Duration shutdownTimeout) {

        public enum Fallback {
            /** Do the work in the calling process (slower, but archiving never stops because the daemon is down). */
            IN_PROCESS,
            /** Fail the call so PostgreSQL retries later (for sites that want all traffic through the daemon). */
            FAIL
        }

        public DaemonConfig {
            allowedUids = java.util.List.copyOf(allowedUids);
        }
    }

    /**
     * Base backups ({@code walstow backup}, {@code restore}, {@code expire}).
     *
     * @param parallelism files (or parts of big files) compressed, encrypted and uploaded, or downloaded, at once
     * @param archiveTimeout how long a backup waits for the WAL up to its stop LSN to reach the repository before it
     *     fails (a backup without that WAL cannot be restored)
     * @param tempDir where a part is encoded before it is stored (so that no backend holds a part in memory)
     * @param retentionFull full backups {@code expire} keeps at least, each with the backups that build on it (0: no
     *     count-based retention)
     * @param retentionDiff differential backups {@code expire} keeps of the kept fulls (0: all of them)
     * @param retentionWindow point-in-time recovery window {@code expire} keeps recoverable (zero: none)
     */
    public record BackupConfig(int parallelism, Duration archiveTimeout, Path tempDir, int retentionFull,
            int retentionDiff, Duration retentionWindow, Duration lockStaleAfter) {
        public static BackupConfig defaults() {
            return new BackupConfig(ConfigKeys.BACKUP_PARALLELISM.defaultValue(),
                    ConfigKeys.BACKUP_ARCHIVE_TIMEOUT.defaultValue(), Path.of(System.getProperty("java.io.tmpdir")),
                    ConfigKeys.BACKUP_RETENTION_FULL.defaultValue(), ConfigKeys.BACKUP_RETENTION_DIFF.defaultValue(),
                    ConfigKeys.BACKUP_RETENTION_WINDOW.defaultValue(),
                    ConfigKeys.BACKUP_LOCK_STALE_AFTER.defaultValue());
        }
    }

    /**
     * The daemon's HTTP endpoint: Prometheus metrics on {@code /metrics}, the status summary on {@code /status}.
     *
     * @param enabled false: no listening socket at all
     * @param host address to bind; loopback by default, because the endpoint has no authentication
     * @param port TCP port
     */
    public record MetricsConfig(boolean enabled, String host, int port) {
        /** {@code HOST:PORT} ({@code [::1]:PORT} for IPv6): an address, never a name to resolve. */
        private static final java.util.regex.Pattern LISTEN =
                java.util.regex.Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+|localhost)):(\\d{1,5})");
        public static final MetricsConfig DEFAULT = of(ConfigKeys.METRICS_ENABLED.defaultValue(),
                ConfigKeys.METRICS_LISTEN.defaultValue().orElseThrow()).orElseThrow();
        public static final MetricsConfig OFF = new MetricsConfig(false, DEFAULT.host(), DEFAULT.port());

        /** The endpoint {@code listen} names; empty when it is not {@code HOST:PORT} with an address and a port. */
        public static Optional<MetricsConfig> of(boolean enabled, String listen) {
            java.util.regex.Matcher m = LISTEN.matcher(listen);
            if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
                return Optional.empty();
            }
            return Optional.of(new MetricsConfig(enabled, m.group(1) != null ? m.group(1) : m.group(2),
                    Integer.parseInt(m.group(3))));
        }

        /** The address as written in the configuration, for messages and for {@code walstow status}. */
        public String listen() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * The RPO guard of the daemon.
     *
     * @param rpo the recovery point objective: committed WAL must be durable in the repository within this
     * @param enabled false: no SQL connection and no forced segment switches; exposure is still measured from
     *     pg_wal (as a lower bound)
     */
    public record GuardConfig(Duration rpo, boolean enabled) {
        public static final GuardConfig DEFAULT = new GuardConfig(ConfigKeys.GUARD_RPO.defaultValue(),
                ConfigKeys.GUARD_ENABLED.defaultValue());
    }
}
