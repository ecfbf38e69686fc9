package dev.walstow.config;

import static dev.walstow.config.ConfigKeys.*;

import dev.walstow.agent.Failures;
import dev.walstow.agent.spool.ConfigFile;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.walstow.config.WalstowConfig.BackupConfig;
import dev.walstow.config.WalstowConfig.CompressionConfig;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.config.WalstowConfig.EncryptionConfig;
import dev.walstow.config.WalstowConfig.GuardConfig;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.config.WalstowConfig.PostgresConfig;
import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import dev.walstow.logging.LogLevel;
import dev.walstow.logging.LogSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and validates walstow.toml into a {@link WalstowConfig}; every mistake is reported, one line each. */
public final class ConfigLoader {
    /** Where the configuration is looked for when neither {@code --config} nor {@code WALSTOW_CONFIG} says. */
    public static final Path DEFAULT_PATH = ConfigFile.DEFAULT_PATH;
    public static final String ENV_VAR = ConfigFile.ENV_VAR;

    private ConfigLoader() {}

    /** The configuration file to use: the option, else the environment variable, else the default path. */
    public static Path locate(Optional<Path> option, Map<String, String> environment) {
        // One rule for every command, the agent and the launcher: the agent module owns it.
        return ConfigFile.locate(option, environment);
    }

    public static WalstowConfig load(Path file) {
        return parse(file, read(file));
    }

    /** The file's text, or one line that says why it cannot be had (missing; unreadable). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw UserError.config("configuration file " + file + " does not exist",
                    "pass --config FILE or set " + ENV_VAR + "; docs/configuration.md has an example");
        } catch (IOException e) {
            throw new LocalIoError("cannot read configuration file " + file + ": " + Failures.describe(e),
                    "make it readable by the PostgreSQL OS user", e);
        }
    }

    public static WalstowConfig parse(Path source, String toml) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw UserError.config(source + ": not valid TOML" + where + ": " + e.getOriginalMessage(),
                    "fix the syntax; docs/configuration.md has an example");
        }
        ConfigTree tree = new ConfigTree(root);
        tree.rejectUndeclared();
        S3Keys.rejectSecrets(tree);

        RepositoryConfig repository = repository(tree);
        CompressionConfig compression = new CompressionConfig(tree.get(COMPRESSION_LEVEL));
        EncryptionConfig encryption = encryption(tree);
        PostgresConfig postgres = new PostgresConfig(tree.get(POSTGRES_DATA),
                tree.get(POSTGRES_HOST).orElseThrow(), tree.get(POSTGRES_PORT),
                tree.get(POSTGRES_USER).orElseThrow(), tree.get(POSTGRES_DATABASE).orElseThrow(),
                tree.get(POSTGRES_PASSWORD_FILE));
        int attempts = tree.get(RETRY_ATTEMPTS);
        Duration initial = tree.get(RETRY_INITIAL_BACKOFF);
        Duration max = tree.get(RETRY_MAX_BACKOFF);
        if (max.compareTo(initial) < 0) {
            tree.error(RETRY_MAX_BACKOFF, "must not be shorter than retry.initial-backoff");
        }

        DaemonConfig daemon = daemon(tree);
        BackupConfig backup = backup(tree);
        MetricsConfig metrics = metrics(tree);
        GuardConfig guard = new GuardConfig(tree.get(GUARD_RPO), tree.get(GUARD_ENABLED));
        LogSettings log = log(tree);
        if (repository instanceof RepositoryConfig.S3 s3
                && s3.settings().timeouts().call().compareTo(daemon.operationTimeout()) > 0) {
            tree.error(REPOSITORY_CALL_TIMEOUT, "must not be longer than daemon.operation-timeout ("
                    + daemon.operationTimeout().toSeconds() + "s): the daemon would abandon the call first");
        }

        List<String> errors = tree.errors();
        if (!errors.isEmpty()) {
            throw UserError.config(source + ": " + errors.size() + " problem(s): " + String.join("; ", errors),
                    "fix the keys named; docs/configuration.md lists every key");
        }
        return new WalstowConfig(source, repository, compression, encryption, postgres,
                new RetryConfig(attempts, initial, max), daemon, backup, metrics, guard, log);
    }

    private static LogSettings log(ConfigTree tree) {
        LogLevel level = LogLevel.parse(tree.get(LOG_LEVEL)).orElse(LogSettings.DEFAULT.level());
        Map<String, LogLevel> levels = Map.of();
        Optional<String> text = tree.get(LOG_LEVELS);
        if (text.isPresent()) {
            try {
                levels = LogSettings.parseLevels(text.get());
            } catch (IllegalArgumentException e) {
                tree.error(LOG_LEVELS, e.getMessage());
            }
        }
        return new LogSettings(level, levels, tree.get(LOG_DIRECTORY), tree.get(LOG_FILE_SIZE_MIB),
                tree.get(LOG_FILE_COUNT));
    }

    private static BackupConfig backup(ConfigTree tree) {
        Path tempDir = tree.get(BACKUP_TEMP_DIR).orElse(BackupConfig.defaults().tempDir());
        return new BackupConfig(tree.get(BACKUP_PARALLELISM), tree.get(BACKUP_ARCHIVE_TIMEOUT), tempDir,
                tree.get(BACKUP_RETENTION_FULL), tree.get(BACKUP_RETENTION_DIFF), tree.get(BACKUP_RETENTION_WINDOW),
                tree.get(BACKUP_LOCK_STALE_AFTER));
    }

    /**
     * Defaults (ConfigKeys): concurrency and prefetch depth were chosen by measurement (docs/benchmarks.md). Three
     * workers on two cores: each worker sleeps in its two fsyncs per object, and a third keeps both cores encoding
     * meanwhile. A restore_command call that gives up stops recovery, so the wait must outlast a slow but healthy
     * fetch with its retries: 300 s against 60 s per attempt.
     */
    private static DaemonConfig daemon(ConfigTree tree) {
        Duration wait = tree.get(DAEMON_WAIT_TIMEOUT);
        Duration operation = tree.get(DAEMON_OPERATION_TIMEOUT);
        if (wait.compareTo(operation) < 0) {
            tree.error(DAEMON_WAIT_TIMEOUT, "must not be shorter than daemon.operation-timeout (a call would "
                    + "give up before one upload or download attempt could finish)");
        }
        DaemonConfig.Fallback fallback = switch (tree.get(DAEMON_FALLBACK)) {
            case "fail" -> DaemonConfig.Fallback.FAIL;
            default -> DaemonConfig.Fallback.IN_PROCESS;
        };
        return new DaemonConfig(tree.get(DAEMON_PUSH_CONCURRENCY), tree.get(DAEMON_PREFETCH), wait, operation,
                tree.get(DAEMON_NEGATIVE_CACHE_TTL), tree.get(DAEMON_ALLOWED_UIDS), fallback,
                tree.get(DAEMON_SHUTDOWN_TIMEOUT));
    }

    /** {@code listen = "HOST:PORT"} ({@code [::1]:PORT} for IPv6); an address, never a name to resolve. */
    private static MetricsConfig metrics(ConfigTree tree) {
        boolean enabled = tree.get(METRICS_ENABLED);
        String listen = tree.get(METRICS_LISTEN).orElse(MetricsConfig.DEFAULT.listen());
        Optional<MetricsConfig> metrics = MetricsConfig.of(enabled, listen);
        if (metrics.isEmpty()) {
            tree.error(METRICS_LISTEN, "must be \"HOST:PORT\" like \"127.0.0.1:9753\" or \"[::1]:9753\", got \""
                    + listen + "\"");
            return MetricsConfig.DEFAULT;
        }
        return metrics.get();
    }

    private static RepositoryConfig repository(ConfigTree tree) {
        if (!tree.hasTable("repository")) {
            tree.error("[repository]", "missing; at least type = \"posix\" and path = \"/var/lib/walstow/repo\"");
            return null;
        }
        Optional<String> written = tree.choice(REPOSITORY_TYPE);
        if (written.isEmpty()) {
            return null; // an unknown type: reported; checking its keys would only add noise
        }
        String type = written.get();
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.section().table().equals("repository") && tree.has(key)
                    && key.section().backend().filter(b -> !b.equals(type)).isPresent()) {
                tree.error(key, type.equals("s3") ? "is for type = \"posix\"; an s3 repository uses bucket and prefix"
                        : "is only for type = \"" + key.section().backend().get() + "\"");
            }
        }
        if (type.equals("s3")) {
            return S3Keys.parse(tree);
        }
        Optional<Path> path = tree.get(REPOSITORY_PATH);
        if (path.isEmpty()) {
            if (!tree.has(REPOSITORY_PATH)) {
                tree.error(REPOSITORY_PATH, "required for type = \"posix\": an absolute directory path");
            }
            return null;
        }
        return new RepositoryConfig.Posix(path.get());
    }

    private static EncryptionConfig encryption(ConfigTree tree) {
        Optional<Path> recipient = tree.get(ENCRYPTION_RECIPIENT);
        Optional<Path> secret = tree.get(ENCRYPTION_SECRET);
        Optional<Path> passphrase = tree.get(ENCRYPTION_PASSPHRASE_FILE);
        boolean anyKey = recipient.isPresent() || secret.isPresent() || passphrase.isPresent();
        boolean enabled = tree.get(ENCRYPTION_ENABLED);
        if (enabled && !anyKey) {
            tree.error("[encryption]", "no key configured: set recipient (OpenPGP public key) or passphrase-file, "
                    + "or say enabled = false to store WAL unencrypted");
        }
        if (!enabled && anyKey) {
            tree.error(ENCRYPTION_ENABLED, "is false but keys are configured; remove the keys or the line");
        }
        if (secret.isPresent() && recipient.isEmpty()) {
            tree.error(ENCRYPTION_SECRET, "needs encryption.recipient (the matching public key) beside it");
        }
        return new EncryptionConfig(enabled, recipient, secret, passphrase);
    }
}
