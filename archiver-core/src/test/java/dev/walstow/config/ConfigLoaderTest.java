package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.error.UserError;
import dev.walstow.logging.LogLevel;
import dev.walstow.logging.LogSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path SRC = Path.of("/etc/walstow/walstow.toml");

    private static final String MINIMAL = """
            [repository]
            type = "posix"
            path = "/var/lib/walstow/repo"

            [encryption]
            recipient = "/etc/walstow/archive.pub.asc"
            """;

    @Test
    @DisplayName("the documented example parses into the expected records with defaults filled in")
    void documentedExample() {
        WalstowConfig c = ConfigLoader.parse(SRC, """
                [repository]
                type = "posix"
                path = "/var/lib/walstow/repo"

                [compression]
                level = 1                                   # zstd level

                [encryption]
                recipient = "/etc/walstow/archive.pub.asc"  # OpenPGP public key: pushing needs no secret
                secret = "/etc/walstow/archive.sec.asc"     # only where restoring
                passphrase-file = "/etc/walstow/pass"

                [postgres]
                data = "/var/lib/postgresql/15/main"
                """);
        assertThat(c.repository()).isEqualTo(new RepositoryConfig.Posix(Path.of("/var/lib/walstow/repo")));
        assertThat(c.compression().level()).isEqualTo(1);
        assertThat(c.encryption().recipient()).contains(Path.of("/etc/walstow/archive.pub.asc"));
        assertThat(c.encryption().secret()).contains(Path.of("/etc/walstow/archive.sec.asc"));
        assertThat(c.encryption().passphraseFile()).contains(Path.of("/etc/walstow/pass"));
        assertThat(c.postgres().data()).contains(Path.of("/var/lib/postgresql/15/main"));
        assertThat(c.retry().attempts()).isEqualTo(3);
    }

    @Test
    @DisplayName("every mistake is reported at once, each naming its key")
    void allMistakesAtOnce() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                type = "posix"
                path = "relative/repo"

                [compression]
                level = 42
                levle = 3

                [encryption]
                recipient = "/k.asc"

                [retry]
                initial-backoff = "soon"
                """))
                .isInstanceOfSatisfying(UserError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG);
                    assertThat(e.getMessage())
                            .contains("repository.path: must be an absolute path")
                            .contains("compression.level: must be an integer from 1 to 19, got 42")
                            .contains("compression.levle: unknown key")
                            .contains("retry.initial-backoff: must be a duration")
                            .contains("4 problem(s)");
                    assertThat(e.oneLine()).doesNotContain("\n").contains("HINT:");
                });
    }

    @Test
    @DisplayName("a duration is a number with a unit (ms, s, min or m, h, d); a bare number is refused and told so")
    void durationUnits() {
        WalstowConfig c = ConfigLoader.parse(SRC, MINIMAL + """
                [retry]
                initial-backoff = "500ms"
                max-backoff = "2min"
                [guard]
                rpo = "15m"
                """);
        assertThat(c.retry().initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.guard().rpo()).isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + """
                [retry]
                initial-backoff = 500
                """)).isInstanceOf(UserError.class)
                .hasMessageContaining("retry.initial-backoff: must be a duration")
                .hasMessageContaining("got the bare number 500 (write e.g. \"500ms\" or \"500s\")")
                .hasMessageNotContaining("non-empty string");
    }

    @Test
    @DisplayName("no key and no explicit enabled = false is refused, so WAL is never stored in the clear by accident")
    void encryptionMustBeExplicit() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                path = "/r"
                """)).hasMessageContaining("[encryption]: no key configured");
        WalstowConfig plain = ConfigLoader.parse(SRC, """
                [repository]
                path = "/r"
                [encryption]
                enabled = false
                """);
        assertThat(plain.encryption().enabled()).isFalse();
    }

    @Test
    @DisplayName("a secret key without its public key, and keys with enabled = false, are refused")
    void inconsistentEncryption() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                path = "/r"
                [encryption]
                secret = "/s.asc"
                """)).hasMessageContaining("encryption.secret: needs encryption.recipient");
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                path = "/r"
                [encryption]
                enabled = false
                recipient = "/p.asc"
                """)).hasMessageContaining("encryption.enabled: is false but keys are configured");
    }

    @Test
    @DisplayName("a missing [repository] table and an unknown repository type are named")
    void repositoryRequired() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, "[encryption]\nenabled = false\n"))
                .hasMessageContaining("[repository]: missing");
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL.replace("\"posix\"", "\"ftp\"")))
                .hasMessageContaining("repository.type: must be \"posix\" or \"s3\", got \"ftp\"");
    }

    @Test
    @DisplayName("broken TOML syntax is one line with the line number")
    void syntaxError() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, "[repository\npath = 1\n"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("not valid TOML at line 1");
    }

    @Test
    @DisplayName("durations accept ms, s, m, h and d, and are bounded")
    void durations() {
        WalstowConfig c = ConfigLoader.parse(SRC, MINIMAL + """
                [retry]
                attempts = 5
                initial-backoff = "250ms"
                max-backoff = "2m"
                """);
        assertThat(c.retry().attempts()).isEqualTo(5);
        assertThat(c.retry().initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + "[retry]\nmax-backoff = \"2h\"\n"))
                .hasMessageContaining("retry.max-backoff");
    }

    @Test
    @DisplayName("the configuration file is --config, else $WALSTOW_CONFIG, else /etc/walstow/walstow.toml")
    void locate() {
        assertThat(ConfigLoader.locate(Optional.of(Path.of("/a.toml")), Map.of("WALSTOW_CONFIG", "/b.toml")))
                .isEqualTo(Path.of("/a.toml"));
        assertThat(ConfigLoader.locate(Optional.empty(), Map.of("WALSTOW_CONFIG", "/b.toml")))
                .isEqualTo(Path.of("/b.toml"));
        assertThat(ConfigLoader.locate(Optional.empty(), Map.of())).isEqualTo(ConfigLoader.DEFAULT_PATH);
    }

    @Test
    @DisplayName("a missing configuration file says which file and how to point at another")
    void missingFile() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/walstow.toml")))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.oneLine())
                        .contains("/nonexistent/walstow.toml does not exist").contains("--config"));
    }

    @Test
    @DisplayName("[backup] keys parse with their defaults, and out-of-range values are each reported")
    void backupTable() {
        WalstowConfig defaults = ConfigLoader.parse(SRC, MINIMAL);
        assertThat(defaults.backup().parallelism()).isEqualTo(4);
        assertThat(defaults.backup().retentionFull()).isZero();
        assertThat(defaults.backup().retentionDiff()).isZero();
        assertThat(defaults.backup().retentionWindow()).isEqualTo(Duration.ZERO);
        assertThat(defaults.backup().lockStaleAfter()).isEqualTo(Duration.ofMinutes(10));

        WalstowConfig set = ConfigLoader.parse(SRC, MINIMAL + """
                [backup]
                parallelism = 8
                archive-timeout = "90s"
                temp-dir = "/var/tmp"
                retention-full = 2
                retention-diff = 3
                retention-window = "7d"
                lock-stale-after = "30m"
                """);
        assertThat(set.backup()).isEqualTo(new WalstowConfig.BackupConfig(8, Duration.ofSeconds(90),
                Path.of("/var/tmp"), 2, 3, Duration.ofDays(7), Duration.ofMinutes(30)));

        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + """
                [backup]
                parallelism = 0
                temp-dir = "relative"
                retention-windw = "7d"
                """)).isInstanceOf(UserError.class)
                .hasMessageContaining("backup.parallelism").hasMessageContaining("backup.temp-dir")
                .hasMessageContaining("retention-windw");
    }

    @Test
    @DisplayName("[metrics] and [guard] default to loopback:9753 and a 15 minute RPO")
    void metricsAndGuardDefaults() {
        WalstowConfig c = ConfigLoader.parse(SRC, MINIMAL);
        assertThat(c.metrics()).isEqualTo(new WalstowConfig.MetricsConfig(true, "127.0.0.1", 9753));
        assertThat(c.guard()).isEqualTo(new WalstowConfig.GuardConfig(Duration.ofMinutes(15), true));
    }

    @Test
    @DisplayName("[metrics] listen takes IPv4 and bracketed IPv6 addresses; [guard] rpo is a duration")
    void metricsAndGuardParsed() {
        WalstowConfig c = ConfigLoader.parse(SRC, MINIMAL + """
                [metrics]
                listen = "[::1]:9300"
                [guard]
                rpo = "10s"
                enabled = false
                """);
        assertThat(c.metrics()).isEqualTo(new WalstowConfig.MetricsConfig(true, "::1", 9300));
        assertThat(c.guard()).isEqualTo(new WalstowConfig.GuardConfig(Duration.ofSeconds(10), false));
    }

    @Test
    @DisplayName("a bad listen address and an RPO out of range are reported, one clause each")
    void metricsAndGuardErrors() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + """
                [metrics]
                listen = "localhost"
                [guard]
                rpo = "0s"
                """)).isInstanceOf(UserError.class)
                .hasMessageContaining("metrics.listen: must be \"HOST:PORT\"")
                .hasMessageContaining("guard.rpo: must be a duration");
    }

    @Test
    @DisplayName("an s3 repository parses with every key, and defaults fill the rest")
    void s3Repository() {
        WalstowConfig c = ConfigLoader.parse(SRC, """
                [repository]
                type = "s3"
                bucket = "pg-archive"
                prefix = "walstow/db1"
                region = "eu-central-1"
                endpoint = "https://minio.example:9000"
                path-style = true
                credentials = "static"
                access-key-id = "AKIAEXAMPLE"
                secret-access-key-file = "/etc/walstow/s3.secret"
                sse = "sse-kms"
                sse-kms-key-id = "alias/walstow"
                storage-class = "STANDARD_IA"
                checksum = "sha256"
                conditional-write = "if-none-match"
                connect-timeout = "3s"
                read-timeout = "10s"
                request-timeout = "20s"
                call-timeout = "40s"
                sdk-attempts = 2
                max-connections = 16
                multipart-threshold-mib = 32
                part-size-mib = 8

                [encryption]
                recipient = "/etc/walstow/archive.pub.asc"
                """);
        var s = ((RepositoryConfig.S3) c.repository()).settings();
        assertThat(s.bucket()).isEqualTo("pg-archive");
        assertThat(s.prefix()).isEqualTo("walstow/db1/");
        assertThat(s.region()).isEqualTo("eu-central-1");
        assertThat(s.endpoint()).contains(java.net.URI.create("https://minio.example:9000"));
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.credentials()).isEqualTo(new dev.walstow.storage.s3.S3Settings.Credentials.Static(
                "AKIAEXAMPLE", Path.of("/etc/walstow/s3.secret")));
        assertThat(s.encryption()).isEqualTo(new dev.walstow.storage.s3.S3Settings.Encryption.Kms(
                Optional.of("alias/walstow")));
        assertThat(s.storageClass()).contains("STANDARD_IA");
        assertThat(s.checksum()).isEqualTo(dev.walstow.storage.s3.S3Settings.Checksum.SHA256);
        assertThat(s.timeouts()).isEqualTo(new dev.walstow.storage.s3.S3Settings.Timeouts(Duration.ofSeconds(3),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40)));
        assertThat(s.sdkAttempts()).isEqualTo(2);
        assertThat(s.maxConcurrency()).isEqualTo(16);
        assertThat(s.multipartThreshold()).isEqualTo(32L << 20);
        assertThat(s.partSize()).isEqualTo(8L << 20);

        var minimal = ((RepositoryConfig.S3) ConfigLoader.parse(SRC, """
                [repository]
                type = "s3"
                bucket = "pg-archive"
                [encryption]
                recipient = "/k.asc"
                """).repository()).settings();
        assertThat(minimal).isEqualTo(dev.walstow.storage.s3.S3Settings.of("pg-archive", "", "us-east-1",
                Optional.empty(), false, new dev.walstow.storage.s3.S3Settings.Credentials.Chain(Optional.empty(), true)));
    }

    @Test
    @DisplayName("s3 mistakes are each reported, and a secret key in the file is refused outright")
    void s3Mistakes() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                type = "s3"
                path = "/var/lib/walstow/repo"
                bucket = "Not_A_Bucket"
                endpoint = "minio:9000"
                secret-access-key = "wJalrXUtnFEMI/K7MDENG"
                credentials = "static"
                instance-metadata = false
                sse = "aes"
                request-timeout = "90s"
                call-timeout = "80s"
                part-size-mib = 1

                [encryption]
                recipient = "/k.asc"
                """))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.getMessage())
                        .contains("repository.path: is for type = \"posix\"")
                        .contains("repository.bucket: must be a valid S3 bucket name")
                        .contains("repository.endpoint: must be an http:// or https:// URL")
                        .contains("repository.secret-access-key: secrets are never read from walstow.toml")
                        .contains("repository.credentials: \"static\" needs access-key-id and secret-access-key-file")
                        .contains("repository.instance-metadata: only applies to credentials = \"chain\"")
                        .contains("repository.sse: must be")
                        .contains("repository.call-timeout: must not be shorter than repository.request-timeout")
                        .contains("repository.part-size-mib: must be an integer from 5")
                        .doesNotContain("wJalrXUtnFEMI"));
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, """
                [repository]
                type = "posix"
                path = "/r"
                bucket = "b"
                [encryption]
                recipient = "/k.asc"
                """)).hasMessageContaining("repository.bucket: is only for type = \"s3\"");
    }

    private static String s3(String keys) {
        return """
                [repository]
                type = "s3"
                bucket = "pg-archive"
                %s
                [encryption]
                recipient = "/k.asc"
                """.formatted(keys);
    }

    private static void assertRefused(String config, String expected) {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, config)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG);
            assertThat(e.getMessage()).contains("1 problem(s): " + expected);
            assertThat(e.oneLine()).doesNotContain("\n").contains("HINT:");
        });
    }

    @Test
    @DisplayName("a KMS key without sse = \"sse-kms\", S3's own spelling of sse, a misspelt AWS storage class and one "
            + "that must be restored before reading are each refused in one line naming the key")
    void s3WriteOptionMistakes() {
        assertRefused(s3("sse-kms-key-id = \"alias/walstow\""), "repository.sse-kms-key-id: needs sse = \"sse-kms\"");
        assertRefused(s3("sse = \"sse-s3\"\nsse-kms-key-id = \"alias/walstow\""),
                "repository.sse-kms-key-id: needs sse = \"sse-kms\"");
        assertRefused(s3("sse = \"aws:kms\""),
                "repository.sse: must be \"none\", \"sse-s3\" or \"sse-kms\", got \"aws:kms\"");
        assertRefused(s3("storage-class = \"standard-ia\""), "repository.storage-class: must be an S3 storage class");
        assertRefused(s3("storage-class = \"STANDRD_IA\""),
                "repository.storage-class: \"STANDRD_IA\" is not an AWS S3 storage class (STANDARD, STANDARD_IA");
        assertRefused(s3("storage-class = \"GLACIER\""), "repository.storage-class: GLACIER objects must be restored");
        assertRefused(s3("storage-class = \"DEEP_ARCHIVE\""),
                "repository.storage-class: DEEP_ARCHIVE objects must be restored");
    }

    @Test
    @DisplayName("SSE-S3, SSE-KMS with and without a key, and a store's own storage class behind an endpoint are "
            + "accepted")
    void s3WriteOptions() {
        assertThat(settings(s3("sse = \"sse-s3\"")).encryption())
                .isEqualTo(new dev.walstow.storage.s3.S3Settings.Encryption.S3Managed());
        assertThat(settings(s3("sse = \"sse-kms\"")).encryption())
                .isEqualTo(new dev.walstow.storage.s3.S3Settings.Encryption.Kms(Optional.empty()));
        var kms = settings(s3("sse = \"sse-kms\"\nsse-kms-key-id = \"alias/walstow\"\nstorage-class = \"GLACIER_IR\""));
        assertThat(kms.encryption())
                .isEqualTo(new dev.walstow.storage.s3.S3Settings.Encryption.Kms(Optional.of("alias/walstow")));
        assertThat(kms.storageClass()).contains("GLACIER_IR");
        assertThat(settings(s3("endpoint = \"https://rgw.example\"\nstorage-class = \"COLD_HDD\"")).storageClass())
                .contains("COLD_HDD");
    }

    private static dev.walstow.storage.s3.S3Settings settings(String config) {
        return ((RepositoryConfig.S3) ConfigLoader.parse(SRC, config).repository()).settings();
    }

    @Test
    @DisplayName("[log]: level, per-logger levels, a log directory and its rotation; info and no files by default")
    void logTable() {
        assertThat(ConfigLoader.parse(SRC, MINIMAL).log()).isEqualTo(LogSettings.DEFAULT);
        LogSettings log = ConfigLoader.parse(SRC, MINIMAL + """
                [log]
                level = "warn"
                levels = "dev.walstow.daemon=DEBUG, software.amazon.awssdk = error"
                directory = "/var/log/walstow"
                file-size-mib = 50
                file-count = 3
                """).log();
        assertThat(log).isEqualTo(new LogSettings(LogLevel.WARN, Map.of("dev.walstow.daemon", LogLevel.DEBUG,
                "software.amazon.awssdk", LogLevel.ERROR), Optional.of(Path.of("/var/log/walstow")), 50, 3));
    }

    @Test
    @DisplayName("[log] mistakes are each reported, naming the key and what it takes")
    void logMistakes() {
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + """
                [log]
                level = "loud"
                levels = "dev.walstow.daemon"
                directory = "logs"
                file-count = 21
                """)).isInstanceOfSatisfying(UserError.class, e -> assertThat(e.oneLine())
                .contains("4 problem(s)")
                .contains("log.level: must be \"error\", \"warn\", \"info\", \"debug\" or \"trace\", got \"loud\"")
                .contains("log.levels: \"dev.walstow.daemon\" is not LOGGER=LEVEL")
                .contains("log.directory: must be an absolute path")
                .contains("log.file-count: must be an integer from 1 to 20"));
        assertThatThrownBy(() -> ConfigLoader.parse(SRC, MINIMAL + """
                [log]
                levels = "dev.walstow=verbose"
                """)).hasMessageContaining("log.levels: \"verbose\" is not a level (error, warn, info, debug, trace)");
    }
}
