package dev.walstow.config;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and validates walstow.toml into a {@link WalstowConfig}; every mistake is reported, one line each. */
public final class ConfigLoader {
    /** Where the configuration is looked for when neither {@code --config} nor {@code WALSTOW_CONFIG} says. */
    public static final Path DEFAULT_PATH = ConfigFile.DEFAULT_PATH;
    public static final String ENV_VAR = ConfigFile.ENV_VAR;

    private static final Map<String, Set<String>> KEYS = Map.of(
            "repository", S3Keys.withPosix(Set.of("type", "path")),
            "compression", Set.of("level"),
            "encryption", Set.of("enabled", "recipient", "secret", "passphrase-file"),
            "postgres", Set.of("data", "host", "port", "user", "database", "password-file"),
            "retry", Set.of("attempts", "initial-backoff", "max-backoff"),
            "daemon", Set.of("push-concurrency", "prefetch", "wait-timeout", "operation-timeout",
                    "negative-cache-ttl", "allowed-uids", "fallback", "shutdown-timeout"),
            "backup", Set.of("parallelism", "archive-timeout", "temp-dir", "retention-full", "retention-window"),
            "metrics", Set.of("enabled", "listen"),
            "guard", Set.of("enabled", "rpo"));

    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+|localhost)):(\\d{1,5})");

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
            throw new LocalIoError("cannot read configuration file " + file + ": " + e.getMessage(),
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
        tree.rejectUnknown("", KEYS.keySet());
        S3Keys.rejectSecrets(tree);
        KEYS.forEach(tree::rejectUnknown);

        RepositoryConfig repository = repository(tree);
        CompressionConfig compression = new CompressionConfig(tree.integer("compression", "level", dev.walstow.codec.CodecSettings.DEFAULT_LEVEL, 1, 19));
        EncryptionConfig encryption = encryption(tree);
        PostgresConfig postgres = new PostgresConfig(tree.absolutePath("postgres", "data"),
                tree.string("postgres", "host").orElse("/var/run/postgresql"),
                tree.integer("postgres", "port", 5432, 1, 65535),
                tree.string("postgres", "user").orElse("postgres"),
                tree.string("postgres", "database").orElse("postgres"),
                tree.absolutePath("postgres", "password-file"));
        int attempts = tree.integer("retry", "attempts", 3, 1, 100);
        Duration initial = tree.duration("retry", "initial-backoff", Duration.ofMillis(500),
                Duration.ofMillis(1), Duration.ofMinutes(5));
        Duration max = tree.duration("retry", "max-backoff", Duration.ofSeconds(10),
                Duration.ofMillis(1), Duration.ofHours(1));
        if (max.compareTo(initial) < 0) {
            tree.error("retry.max-backoff", "must not be shorter than retry.initial-backoff");
        }

        DaemonConfig daemon = daemon(tree);
        BackupConfig backup = backup(tree);
        MetricsConfig metrics = metrics(tree);
        GuardConfig guard = new GuardConfig(tree.duration("guard", "rpo", GuardConfig.DEFAULT.rpo(),
                Duration.ofSeconds(1), Duration.ofDays(7)), tree.bool("guard", "enabled", true));
        if (repository instanceof RepositoryConfig.S3 s3
                && s3.settings().timeouts().call().compareTo(daemon.operationTimeout()) > 0) {
            tree.error("repository.call-timeout", "must not be longer than daemon.operation-timeout ("
                    + daemon.operationTimeout().toSeconds() + "s): the daemon would abandon the call first");
        }

        List<String> errors = tree.errors();
        if (!errors.isEmpty()) {
            throw UserError.config(source + ": " + errors.size() + " problem(s): " + String.join("; ", errors),
                    "fix the keys named; docs/configuration.md lists every key");
        }
        return new WalstowConfig(source, repository, compression, encryption, postgres,
                new RetryConfig(attempts, initial, max), daemon, backup, metrics, guard);
    }

    private static BackupConfig backup(ConfigTree tree) {
        BackupConfig d = BackupConfig.defaults();
        int parallelism = tree.integer("backup", "parallelism", d.parallelism(), 1, 64);
        Duration archiveTimeout = tree.duration("backup", "archive-timeout", d.archiveTimeout(),
                Duration.ofSeconds(1), Duration.ofHours(24));
        Path tempDir = tree.absolutePath("backup", "temp-dir").orElse(d.tempDir());
        int retentionFull = tree.integer("backup", "retention-full", 0, 0, 10_000);
        Duration window = tree.duration("backup", "retention-window", Duration.ZERO, Duration.ZERO,
                Duration.ofDays(36_500));
        return new BackupConfig(parallelism, archiveTimeout, tempDir, retentionFull, window);
    }

    /**
     * Defaults: concurrency and prefetch depth were chosen by measurement (docs/benchmarks.md). Three workers on two
     * cores: each worker sleeps in its two fsyncs per object, and a third keeps both cores encoding meanwhile.
     */
    private static DaemonConfig daemon(ConfigTree tree) {
        int concurrency = tree.integer("daemon", "push-concurrency", 3, 1, 64);
        int prefetch = tree.integer("daemon", "prefetch", 8, 0, 256);
        // A restore_command call that gives up stops recovery, so the wait must outlast a slow but healthy fetch
        // with its retries: 300 s against 60 s per attempt.
        Duration wait = tree.duration("daemon", "wait-timeout", Duration.ofSeconds(300),
                Duration.ofSeconds(1), Duration.ofHours(1));
        Duration operation = tree.duration("daemon", "operation-timeout", Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofHours(1));
        if (wait.compareTo(operation) < 0) {
            tree.error("daemon.wait-timeout", "must not be shorter than daemon.operation-timeout (a call would "
                    + "give up before one upload or download attempt could finish)");
        }
        Duration negative = tree.duration("daemon", "negative-cache-ttl", Duration.ofSeconds(2),
                Duration.ZERO, Duration.ofMinutes(10));
        List<Integer> uids = tree.integers("daemon", "allowed-uids", 0, Integer.MAX_VALUE);
        String fallback = tree.string("daemon", "fallback").orElse("in-process");
        DaemonConfig.Fallback fb = switch (fallback) {
            case "in-process" -> DaemonConfig.Fallback.IN_PROCESS;
            case "fail" -> DaemonConfig.Fallback.FAIL;
            default -> {
                tree.error("daemon.fallback", "must be \"in-process\" or \"fail\", got \"" + fallback + "\"");
                yield DaemonConfig.Fallback.IN_PROCESS;
            }
        };
        Duration shutdown = tree.duration("daemon", "shutdown-timeout", Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofMinutes(30));
        return new DaemonConfig(concurrency, prefetch, wait, operation, negative, uids, fb, shutdown);
    }

    /** {@code listen = "HOST:PORT"} ({@code [::1]:PORT} for IPv6); an address, never a name to resolve. */
    private static MetricsConfig metrics(ConfigTree tree) {
        boolean enabled = tree.bool("metrics", "enabled", true);
        String listen = tree.string("metrics", "listen").orElse(MetricsConfig.DEFAULT.listen());
        Matcher m = LISTEN.matcher(listen);
        if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
            tree.error("metrics.listen", "must be \"HOST:PORT\" like \"127.0.0.1:9187\" or \"[::1]:9187\", got \""
                    + listen + "\"");
            return new MetricsConfig(enabled, MetricsConfig.DEFAULT.host(), MetricsConfig.DEFAULT.port());
        }
        return new MetricsConfig(enabled, m.group(1) != null ? m.group(1) : m.group(2), Integer.parseInt(m.group(3)));
    }

    private static RepositoryConfig repository(ConfigTree tree) {
        if (!tree.hasTable("repository")) {
            tree.error("[repository]", "missing; at least type = \"posix\" and path = \"/var/lib/walstow/repo\"");
            return null;
        }
        String type = tree.string("repository", "type").orElse("posix");
        if (type.equals("s3")) {
            if (tree.has("repository", "path")) {
                tree.error("repository.path", "is for type = \"posix\"; an s3 repository uses bucket and prefix");
            }
            return S3Keys.parse(tree);
        }
        if (!type.equals("posix")) {
            tree.error("repository.type", "unknown type \"" + type + "\" (supported: posix, s3)");
            return null;
        }
        S3Keys.rejectForPosix(tree);
        Optional<Path> path = tree.absolutePath("repository", "path");
        if (path.isEmpty()) {
            if (!tree.has("repository", "path")) {
                tree.error("repository.path", "required for type = \"posix\": an absolute directory path");
            }
            return null;
        }
        return new RepositoryConfig.Posix(path.get());
    }

    private static EncryptionConfig encryption(ConfigTree tree) {
        Optional<Path> recipient = tree.absolutePath("encryption", "recipient");
        Optional<Path> secret = tree.absolutePath("encryption", "secret");
        Optional<Path> passphrase = tree.absolutePath("encryption", "passphrase-file");
        boolean anyKey = recipient.isPresent() || secret.isPresent() || passphrase.isPresent();
        boolean enabled = tree.bool("encryption", "enabled", true);
        if (enabled && !anyKey) {
            tree.error("[encryption]", "no key configured: set recipient (OpenPGP public key) or passphrase-file, "
                    + "or say enabled = false to store WAL unencrypted");
        }
        if (!enabled && anyKey) {
            tree.error("encryption.enabled", "is false but keys are configured; remove the keys or the line");
        }
        if (secret.isPresent() && recipient.isEmpty()) {
            tree.error("encryption.secret", "needs encryption.recipient (the matching public key) beside it");
        }
        return new EncryptionConfig(enabled, recipient, secret, passphrase);
    }
}
