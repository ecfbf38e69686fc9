package dev.walstow.config;

import dev.walstow.codec.CodecSettings;
import dev.walstow.config.ConfigKey.Section;
import dev.walstow.logging.LogLevel;
import dev.walstow.logging.LogSettings;
import dev.walstow.storage.s3.S3Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every key of walstow.toml, declared once: section, name, type, default, allowed values, one line of documentation.
 * Adding a key is a line here plus the code that uses its value ({@link ConfigLoader} puts it into
 * {@link WalstowConfig}); the unknown-key check, validation and the tables in docs/configuration.md follow from the
 * declaration ({@code ConfigReferenceTest} fails until the docs are regenerated).
 *
 * <p>Defaults that a backend also needs without a configuration (the S3 client's timeouts and sizes) are taken from
 * the backend's own defaults object, so there is still one value.
 */
public final class ConfigKeys {
    private static final List<ConfigKey> KEYS = new ArrayList<>();
    /** The S3 client's defaults: one value for the config and for code that builds settings without it. */
    private static final S3Settings S3_DEFAULTS = S3Settings.of("default", "", "us-east-1", Optional.empty(), false,
            new S3Settings.Credentials.Environment());

    public static final Section REPOSITORY = Section.of("repository");
    public static final Section REPOSITORY_POSIX = new Section("repository", Optional.of("posix"));
    public static final Section REPOSITORY_S3 = new Section("repository", Optional.of("s3"));
    public static final Section COMPRESSION = Section.of("compression");
    public static final Section ENCRYPTION = Section.of("encryption");
    public static final Section POSTGRES = Section.of("postgres");
    public static final Section RETRY = Section.of("retry");
    public static final Section DAEMON = Section.of("daemon");
    public static final Section BACKUP = Section.of("backup");
    public static final Section METRICS = Section.of("metrics");
    public static final Section GUARD = Section.of("guard");
    public static final Section LOG = Section.of("log");

    public static final ConfigKey.Choice REPOSITORY_TYPE =
            add(new ConfigKey.Choice(REPOSITORY, "type",
            "posix", List.of("posix", "s3"),
            "Repository backend. `posix`: a local or NFS directory. `s3`: an S3 bucket (AWS S3, MinIO, Ceph RGW, "
            + "Cloudflare R2, any S3-compatible store), keys below."));

    public static final ConfigKey.FilePath REPOSITORY_PATH =
            add(new ConfigKey.FilePath(REPOSITORY_POSIX, "path",
            "— (required)",
            "Absolute path of the repository directory. `walstow init` creates it if missing; every other command "
            + "requires it to exist (an unmounted NFS path fails instead of filling the local disk)."));

    public static final ConfigKey.Text REPOSITORY_BUCKET =
            add(new ConfigKey.Text(REPOSITORY_S3, "bucket",
            Optional.empty(), "— (required)", "3–63 of `a-z 0-9 . -`",
            "Bucket name (3–63 of `a-z 0-9 . -`). It must exist."));

    public static final ConfigKey.Text REPOSITORY_PREFIX =
            add(new ConfigKey.Text(REPOSITORY_S3, "prefix",
            Optional.empty(), "`\"\"`", "`/`-separated names",
            "Key prefix inside the bucket (`/` appended if missing), e.g. `walstow/db1`."));

    public static final ConfigKey.Text REPOSITORY_REGION =
            add(new ConfigKey.Text(REPOSITORY_S3, "region",
            Optional.of(S3_DEFAULTS.region()), null, "a region name",
            "Signing region. Stores that ignore regions (MinIO, s3proxy) accept any. Never looked up from "
            + "instance metadata."));

    public static final ConfigKey.Text REPOSITORY_ENDPOINT =
            add(new ConfigKey.Text(REPOSITORY_S3, "endpoint",
            Optional.empty(), "AWS for `region`", "`http://` or `https://` URL",
            "`http://` or `https://` URL of an S3-compatible store."));

    public static final ConfigKey.Bool REPOSITORY_PATH_STYLE =
            add(new ConfigKey.Bool(REPOSITORY_S3, "path-style",
            S3_DEFAULTS.pathStyle(),
            "`https://host/bucket/key` instead of `https://bucket.host/key` (MinIO, Ceph RGW, s3proxy)."));

    public static final ConfigKey.Choice REPOSITORY_CREDENTIALS =
            add(new ConfigKey.Choice(REPOSITORY_S3, "credentials",
            "chain", List.of("chain", "static", "environment", "profile", "web-identity", "instance"),
            "Where access keys come from, see below: `chain`, `static`, `environment`, `profile`, `web-identity`, "
            + "`instance`."));

    public static final ConfigKey.Text REPOSITORY_ACCESS_KEY_ID =
            add(new ConfigKey.Text(REPOSITORY_S3, "access-key-id",
            Optional.empty(), "—", "an access key id",
            "With `credentials = \"static\"`: the access key id (not a secret)."));

    public static final ConfigKey.FilePath REPOSITORY_SECRET_ACCESS_KEY_FILE =
            add(new ConfigKey.FilePath(REPOSITORY_S3, "secret-access-key-file",
            "—",
            "With `credentials = \"static\"`: absolute path of a file whose first line is the secret access key "
            + "(mode 0600, readable by the PostgreSQL OS user). Read once at start-up."));

    public static final ConfigKey.Text REPOSITORY_PROFILE =
            add(new ConfigKey.Text(REPOSITORY_S3, "profile",
            Optional.empty(), "`AWS_PROFILE` or `default`", "a profile name",
            "With `chain` or `profile`: the profile of `~/.aws/config` / `~/.aws/credentials` (of the PostgreSQL "
            + "OS user)."));

    public static final ConfigKey.Bool REPOSITORY_INSTANCE_METADATA =
            add(new ConfigKey.Bool(REPOSITORY_S3, "instance-metadata",
            true,
            "With `chain`: `false` leaves the EC2 instance metadata service (IMDS) out of the chain, so a host "
            + "without credentials fails at once with `WS-STORAGE ... no credentials` instead of waiting for a "
            + "metadata service that is not there. Set it `false` everywhere but on EC2."));

    public static final ConfigKey.Choice REPOSITORY_SSE =
            add(new ConfigKey.Choice(REPOSITORY_S3, "sse",
            "none", List.of("none", "sse-s3", "sse-kms"),
            "Server-side encryption of new objects: `none` (no header: the bucket's default applies), `sse-s3` "
            + "(`x-amz-server-side-encryption: AES256`), `sse-kms` (`aws:kms`). Sent on every request that creates "
            + "an object — PutObject and CreateMultipartUpload, including the conditional-write probe, so a bucket "
            + "policy that denies unencrypted uploads is satisfied — and on no other (S3 takes it from the creation "
            + "for the parts, and refuses it on reads). walstow's own OpenPGP encryption is independent of this. "
            + "S3's header spelling (`\"aws:kms\"`, `\"AES256\"`) is refused: write `sse-kms` / `sse-s3`."));

    public static final ConfigKey.Text REPOSITORY_SSE_KMS_KEY_ID =
            add(new ConfigKey.Text(REPOSITORY_S3, "sse-kms-key-id",
            Optional.empty(), "account default", "key id, ARN or alias",
            "With `sse = \"sse-kms\"`: KMS key id, ARN or alias (`x-amz-server-side-encryption-aws-kms-key-id`). "
            + "Refused without `sse = \"sse-kms\"`."));

    public static final ConfigKey.Text REPOSITORY_STORAGE_CLASS =
            add(new ConfigKey.Text(REPOSITORY_S3, "storage-class",
            Optional.empty(), "bucket default", "an S3 storage class",
            "Storage class of new objects (`x-amz-storage-class`, on the same requests as `sse`), sent as "
            + "written. On AWS (no `endpoint`) one of `STANDARD`, `STANDARD_IA`, `ONEZONE_IA`, "
            + "`INTELLIGENT_TIERING`, `GLACIER_IR`, `REDUCED_REDUNDANCY`, checked at start-up; `GLACIER` and "
            + "`DEEP_ARCHIVE` are refused, since their objects must be restored (hours) before archive-get or "
            + "restore can read them. With an `endpoint`, any upper-case name the store defines (e.g. a Ceph RGW "
            + "placement's class)."));

    public static final ConfigKey.Choice REPOSITORY_CHECKSUM =
            add(new ConfigKey.Choice(REPOSITORY_S3, "checksum",
            "crc32c", List.of("crc32c", "sha256"),
            "Checksum sent with every upload (`x-amz-checksum-crc32c` or `-sha256`, computed by walstow before "
            + "sending); the store rejects a body that does not match, so a transfer corrupted on the way is never "
            + "stored. Downloads ask for the stored checksum and verify it where the store keeps one; walstow "
            + "verifies the SHA-256 of the restored plaintext in every case."));

    public static final ConfigKey.Choice REPOSITORY_CONDITIONAL_WRITE =
            add(new ConfigKey.Choice(REPOSITORY_S3, "conditional-write",
            "auto", List.of("auto", "if-none-match", "head"),
            "How create-only puts are made. `if-none-match`: `If-None-Match: *` on the PUT (and on multipart "
            + "completion): atomic, exactly one of several writers wins (AWS S3, MinIO, recent Ceph RGW, R2, "
            + "s3proxy). `head`: HEAD, then PUT if absent: two writers of the same segment at the same moment could "
            + "both succeed and the later one stays (only possible with two archivers for one cluster), and two "
            + "`backup` or `expire` started at the same moment could both take the repository lock (the loser "
            + "stops within its first heartbeat, 10 s). `auto`: "
            + "probe once per process whether the store honours the header (a test object under "
            + "`prefix/.walstow-probe/`, deleted after) and use it if so, else `head` with a warning. The answer is "
            + "kept for a day in `pg_wal/.walstow/s3-conditional-write-<hash>` (one file per endpoint, bucket and "
            + "prefix; first line `if-none-match` or `head`), so the daemon and the archive-pushes that run "
            + "in-process while it is down (one JVM per call) probe once a day rather than on every call (two small "
            + "PUTs and a DELETE); delete the file to probe again at once. A store that answers a conditional write "
            + "`501 NotImplemented` after all makes that push fail (retryable) and forgets the answer, and the next "
            + "push probes again."));

    public static final ConfigKey.Dur REPOSITORY_CONNECT_TIMEOUT =
            add(new ConfigKey.Dur(REPOSITORY_S3, "connect-timeout",
            S3_DEFAULTS.timeouts().connect(), ms(100), min(5),
            "TCP/TLS connection set-up."));

    public static final ConfigKey.Dur REPOSITORY_READ_TIMEOUT =
            add(new ConfigKey.Dur(REPOSITORY_S3, "read-timeout",
            S3_DEFAULTS.timeouts().read(), ms(100), min(30),
            "Longest silence while waiting for bytes; a stalled connection fails after this."));

    public static final ConfigKey.Dur REPOSITORY_REQUEST_TIMEOUT =
            add(new ConfigKey.Dur(REPOSITORY_S3, "request-timeout",
            S3_DEFAULTS.timeouts().attempt(), ms(100), hours(1),
            "One HTTP request, start to end (for downloads: until the response starts; the body is then bounded "
            + "by `read-timeout` and `[daemon] operation-timeout`)."));

    public static final ConfigKey.Dur REPOSITORY_CALL_TIMEOUT =
            add(new ConfigKey.Dur(REPOSITORY_S3, "call-timeout",
            S3_DEFAULTS.timeouts().call(), ms(100), hours(1),
            "One SDK call with its SDK-level retries. At least `request-timeout`, at most `[daemon] "
            + "operation-timeout`."));

    public static final ConfigKey.Int REPOSITORY_SDK_ATTEMPTS =
            add(new ConfigKey.Int(REPOSITORY_S3, "sdk-attempts",
            S3_DEFAULTS.sdkAttempts(), 1, 10,
            "Tries of one request inside the SDK (1–10), see the retry policy below."));

    public static final ConfigKey.Int REPOSITORY_MAX_CONNECTIONS =
            add(new ConfigKey.Int(REPOSITORY_S3, "max-connections",
            S3_DEFAULTS.maxConcurrency(), 1, 1024,
            "Connections to the store (1–1024), shared by all workers and multipart parts."));

    public static final ConfigKey.Int REPOSITORY_MULTIPART_THRESHOLD_MIB =
            add(new ConfigKey.Int(REPOSITORY_S3, "multipart-threshold-mib",
            (int) (S3_DEFAULTS.multipartThreshold() >> 20), 5, 5 * 1024,
            "Objects this large or larger are uploaded in parts (WAL segments stay single PUTs)."));

    public static final ConfigKey.Int REPOSITORY_PART_SIZE_MIB =
            add(new ConfigKey.Int(REPOSITORY_S3, "part-size-mib",
            (int) (S3_DEFAULTS.partSize() >> 20), 5, 5 * 1024,
            "Size of one part (5 MiB minimum; at most 10 000 parts per object). Four parts of one object are sent "
            + "at once; a failed multipart upload is aborted."));

    public static final ConfigKey.Int COMPRESSION_LEVEL =
            add(new ConfigKey.Int(COMPRESSION, "level",
            CodecSettings.DEFAULT_LEVEL, 1, 19,
            "zstd level, 1–19. 1 was chosen by measuring real WAL: 1.4–2.7× faster than 3 for objects ≈ 3 % "
            + "larger (see [benchmarks.md](benchmarks.md)); choose 3 if storage costs more than CPU."));

    public static final ConfigKey.Bool ENCRYPTION_ENABLED =
            add(new ConfigKey.Bool(ENCRYPTION, "enabled",
            true,
            "`false` stores plain zstd frames (still checksummed)."));

    public static final ConfigKey.FilePath ENCRYPTION_RECIPIENT =
            add(new ConfigKey.FilePath(ENCRYPTION, "recipient",
            "—",
            "OpenPGP public key file (armored or binary). Objects are encrypted to it (AES-256, integrity "
            + "protected). The archiving host needs nothing else."));

    public static final ConfigKey.FilePath ENCRYPTION_SECRET =
            add(new ConfigKey.FilePath(ENCRYPTION, "secret",
            "—",
            "OpenPGP secret key file, needed only where WAL is restored (`archive-get`). Requires `recipient` "
            + "beside it. Never loaded by `archive-push`. Mode 0600 (0640 if owned by root): a file others can read "
            + "is refused."));

    public static final ConfigKey.FilePath ENCRYPTION_PASSPHRASE_FILE =
            add(new ConfigKey.FilePath(ENCRYPTION, "passphrase-file",
            "—",
            "First line = passphrase. With `recipient`: the secret key's passphrase. Without `recipient`: "
            + "symmetric mode (AES-256, passphrase-derived key) for both push and get. Mode 0600 (0640 if owned by "
            + "root): a file others can read is refused."));

    public static final ConfigKey.FilePath POSTGRES_DATA =
            add(new ConfigKey.FilePath(POSTGRES, "data",
            "—",
            "The cluster's data directory. `walstow init` reads the cluster identity from it. archive-push/get "
            + "use the working directory when it is a data directory (PostgreSQL always runs them so) and fall back "
            + "to this for manual runs."));

    public static final ConfigKey.Text POSTGRES_HOST =
            add(new ConfigKey.Text(POSTGRES, "host",
            Optional.of("/var/run/postgresql"), null, "socket directory or host name",
            "Where SQL connections go (backups, RPO guard, `check`): an absolute directory = the server's Unix "
            + "socket directory (no password needed with Debian's default `peer` authentication when walstow runs "
            + "as postgres), otherwise a TCP host name."));

    public static final ConfigKey.Int POSTGRES_PORT =
            add(new ConfigKey.Int(POSTGRES, "port",
            5432, 1, 65535,
            "Server port (also names the socket file `.s.PGSQL.<port>`)."));

    public static final ConfigKey.Text POSTGRES_USER =
            add(new ConfigKey.Text(POSTGRES, "user",
            Optional.of("postgres"), null, "a role name",
            "Role to connect as. A least-privilege role needs `pg_read_all_settings`, `EXECUTE` on "
            + "`pg_switch_wal()`, `pg_backup_start()`/`pg_backup_stop()` (or `REPLICATION` for backups)."));

    public static final ConfigKey.Text POSTGRES_DATABASE =
            add(new ConfigKey.Text(POSTGRES, "database",
            Optional.of("postgres"), null, "a database name",
            "Database to connect to."));

    public static final ConfigKey.FilePath POSTGRES_PASSWORD_FILE =
            add(new ConfigKey.FilePath(POSTGRES, "password-file",
            "—",
            "First line = password, for password authentication (mode 0600)."));

    public static final ConfigKey.Int RETRY_ATTEMPTS =
            add(new ConfigKey.Int(RETRY, "attempts",
            3, 1, 100,
            "Total tries per operation."));

    public static final ConfigKey.Dur RETRY_INITIAL_BACKOFF =
            add(new ConfigKey.Dur(RETRY, "initial-backoff",
            ms(500), ms(1), min(5),
            "Wait before the second try; doubles each time, with jitter."));

    public static final ConfigKey.Dur RETRY_MAX_BACKOFF =
            add(new ConfigKey.Dur(RETRY, "max-backoff",
            sec(10), ms(1), hours(1),
            "Cap on one wait."));

    public static final ConfigKey.Int DAEMON_PUSH_CONCURRENCY =
            add(new ConfigKey.Int(DAEMON, "push-concurrency",
            3, 1, 64,
            "Segments compressed, encrypted and uploaded at once (chosen by measurement, "
            + "[benchmarks.md](benchmarks.md)). Memory in use: a few buffers of 128–256 KiB per worker with a posix "
            + "repository (objects are streamed to disk); with S3, about this many encoded segments."));

    public static final ConfigKey.Int DAEMON_PREFETCH =
            add(new ConfigKey.Int(DAEMON, "prefetch",
            8, 0, 256,
            "Segments fetched ahead of recovery into `pg_wal/.walstow/repo-<id>/prefetch/<boot id>/` (disk: this "
            + "many segments). 0 disables."));

    public static final ConfigKey.Dur DAEMON_WAIT_TIMEOUT =
            add(new ConfigKey.Dur(DAEMON, "wait-timeout",
            sec(300), sec(1), hours(1),
            "How long one archive-push/archive-get call waits for the daemon's answer; then it fails (push: "
            + "PostgreSQL retries; get: recovery stops, never \"not found\"). Must be at least `operation-timeout`; "
            + "keep it above `operation-timeout` × `[retry] attempts` so a slow but healthy fetch does not stop "
            + "recovery."));

    public static final ConfigKey.Dur DAEMON_OPERATION_TIMEOUT =
            add(new ConfigKey.Dur(DAEMON, "operation-timeout",
            sec(60), sec(1), hours(1),
            "Bound on one upload or download attempt; a timed-out attempt is retried per `[retry]`."));

    public static final ConfigKey.Dur DAEMON_NEGATIVE_CACHE_TTL =
            add(new ConfigKey.Dur(DAEMON, "negative-cache-ttl",
            sec(2), Duration.ZERO, min(10),
            "A name the repository proved missing is answered \"not in the archive\" from memory for this long "
            + "(recovery asks for the next segment repeatedly at its end)."));

    public static final ConfigKey.IntList DAEMON_ALLOWED_UIDS =
            add(new ConfigKey.IntList(DAEMON, "allowed-uids",
            0, Integer.MAX_VALUE, "uids",
            "Peers allowed on the socket besides the daemon's own uid (checked with SO_PEERCRED); others are "
            + "refused and logged."));

    public static final ConfigKey.Choice DAEMON_FALLBACK =
            add(new ConfigKey.Choice(DAEMON, "fallback",
            "in-process", List.of("in-process", "fail"),
            "What an agent does when no daemon answers: do the work itself (archiving never stops because the "
            + "daemon is down), or fail so PostgreSQL retries later."));

    public static final ConfigKey.Dur DAEMON_SHUTDOWN_TIMEOUT =
            add(new ConfigKey.Dur(DAEMON, "shutdown-timeout",
            sec(30), sec(1), min(30),
            "On SIGTERM, how long in-flight uploads may take to finish; unfinished segments stay `.ready` and are "
            + "redone on the next start."));

    public static final ConfigKey.Int BACKUP_PARALLELISM =
            add(new ConfigKey.Int(BACKUP, "parallelism",
            4, 1, 64,
            "Files (or 256 MiB parts of bigger files) compressed, encrypted and stored — or fetched and decoded "
            + "on restore, checked by verify — at once."));

    public static final ConfigKey.Dur BACKUP_ARCHIVE_TIMEOUT =
            add(new ConfigKey.Dur(BACKUP, "archive-timeout",
            min(5), sec(1), hours(24),
            "How long `backup` waits, after `pg_backup_stop`, for the WAL up to the stop LSN to be in the "
            + "repository. Past it the backup fails and is not recorded (no manifest)."));

    public static final ConfigKey.FilePath BACKUP_TEMP_DIR =
            add(new ConfigKey.FilePath(BACKUP, "temp-dir",
            "`java.io.tmpdir`",
            "Where a part is encoded before it is stored; needs room for `parallelism` × 256 MiB (compressed)."));

    public static final ConfigKey.Int BACKUP_RETENTION_FULL =
            add(new ConfigKey.Int(BACKUP, "retention-full",
            0, 0, 10_000,
            "Full backups `expire` keeps at least: the newest N fulls, each with the differential and incremental "
            + "backups that build on it (0: no count rule). A full that expires takes those with it. "
            + "`--retention-full` overrides it."));

    public static final ConfigKey.Int BACKUP_RETENTION_DIFF =
            add(new ConfigKey.Int(BACKUP, "retention-diff",
            0, 0, 10_000,
            "Differential backups `expire` keeps of the fulls `retention-full` keeps: the newest N; an older "
            + "differential expires with the incrementals that build on it, unless a kept backup needs it (0: "
            + "every differential stays with its full). Needs `retention-full`. `--retention-diff` overrides it."));

    public static final ConfigKey.Dur BACKUP_RETENTION_WINDOW =
            add(new ConfigKey.Dur(BACKUP, "retention-window",
            Duration.ZERO, Duration.ZERO, Duration.ofDays(36_500),
            "Point-in-time recovery window `expire` keeps recoverable, e.g. `\"7d\"`: the newest backup that "
            + "stopped before its start, every later one (each with the backups it builds on), and the WAL from the "
            + "oldest kept backup's start (0s: no window rule). `--retention-window` overrides it. With several "
            + "rules a backup is kept if any keeps it; with neither this nor `retention-full`, `expire` refuses to "
            + "run."));

    public static final ConfigKey.Dur BACKUP_LOCK_STALE_AFTER =
            add(new ConfigKey.Dur(BACKUP, "lock-stale-after",
            min(10), min(1), hours(24),
            "How long the repository lock of a `backup` or `expire` on another host may go without a heartbeat "
            + "(renewed every 10 s) before the next one takes it over; a holder on this host whose process has "
            + "exited is taken over at once. A holder stops by itself once it could not renew the lock for half "
            + "of this. Hosts' clocks must agree to well within half of it."));

    public static final ConfigKey.Bool METRICS_ENABLED =
            add(new ConfigKey.Bool(METRICS, "enabled",
            true,
            "`false`: the daemon opens no port; `walstow status` and the exposure line of `walstow check` then "
            + "have nothing to ask."));

    public static final ConfigKey.Text METRICS_LISTEN =
            add(new ConfigKey.Text(METRICS, "listen",
            Optional.of("127.0.0.1:9753"), null, "`HOST:PORT`, an address",
            "`HOST:PORT` to bind, an address (`[::1]:9753` for IPv6). Loopback by default because the endpoint "
            + "has no authentication; bind elsewhere only behind a firewall. Several clusters on one host: each "
            + "daemon needs its own port (e.g. 9753, 9754, ...). A port in use stops the daemon at start-up with "
            + "a `WS-CONFIG` error (exit 3, which systemd does not retry)."));

    public static final ConfigKey.Dur GUARD_RPO =
            add(new ConfigKey.Dur(GUARD, "rpo",
            min(15), sec(1), Duration.ofDays(7),
            "The recovery point objective."));

    public static final ConfigKey.Bool GUARD_ENABLED =
            add(new ConfigKey.Bool(GUARD, "enabled",
            true,
            "`false`: never connect to PostgreSQL nor switch segments; exposure is then the age of the oldest "
            + "`.ready` file (a lower bound)."));

    public static final ConfigKey.Choice LOG_LEVEL =
            add(new ConfigKey.Choice(LOG, "level",
            LogSettings.DEFAULT.level().word(), LogLevel.words(),
            "What every command logs: `error`, `warn`, `info`, `debug` or `trace` (most to least severe; each "
            + "includes the ones before it). `--log-level` and the environment variable `WALSTOW_LOG_LEVEL` "
            + "override it, in that order."));

    public static final ConfigKey.Text LOG_LEVELS =
            add(new ConfigKey.Text(LOG, "levels",
            Optional.empty(), "—", "`LOGGER=LEVEL`, comma-separated",
            "Levels of single loggers, which stand whatever the overall level: a Java package or class name and a "
            + "level, e.g. `\"dev.walstow.daemon=debug, software.amazon.awssdk=warn\"`."));

    public static final ConfigKey.FilePath LOG_DIRECTORY =
            add(new ConfigKey.FilePath(LOG, "directory",
            "— (stderr only)",
            "Each command also logs to `walstow-COMMAND.log` in this directory (`walstow-daemon.log`, "
            + "`walstow-backup.log`, ...), always with timestamps. It must be writable by the user the command runs "
            + "as (the PostgreSQL OS user); if it is not, the command says so once and logs to stderr only."));

    public static final ConfigKey.Int LOG_FILE_SIZE_MIB =
            add(new ConfigKey.Int(LOG, "file-size-mib",
            LogSettings.DEFAULT.fileSizeMib(), 1, 1024,
            "With `directory`: a log file is rotated once it is this large (to `.1`, the older ones moving up)."));

    public static final ConfigKey.Int LOG_FILE_COUNT =
            add(new ConfigKey.Int(LOG, "file-count",
            LogSettings.DEFAULT.fileCount(), 1, 20,
            "With `directory`: rotated files kept of each command's log (`.1` to `.N`); the oldest is deleted."));

    private ConfigKeys() {}

    /** Every key, in the order of docs/configuration.md. */
    public static List<ConfigKey> all() {
        return Collections.unmodifiableList(KEYS);
    }

    /** The TOML tables, in order. */
    public static Set<String> tables() {
        Set<String> tables = new LinkedHashSet<>();
        KEYS.forEach(k -> tables.add(k.section().table()));
        return tables;
    }

    /** The key names a table accepts (for every repository type: the type decides which may be set). */
    public static Set<String> names(String table) {
        Set<String> names = new LinkedHashSet<>();
        KEYS.stream().filter(k -> k.section().table().equals(table)).forEach(k -> names.add(k.name()));
        return names;
    }

    public static List<ConfigKey> of(Section section) {
        return KEYS.stream().filter(k -> k.section().equals(section)).toList();
    }

    private static <K extends ConfigKey> K add(K key) {
        KEYS.add(key);
        return key;
    }

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    private static Duration sec(long n) {
        return Duration.ofSeconds(n);
    }

    private static Duration min(long n) {
        return Duration.ofMinutes(n);
    }

    private static Duration hours(long n) {
        return Duration.ofHours(n);
    }
}
