package dev.walstow.config;

import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.storage.s3.S3Settings;
import dev.walstow.storage.s3.S3Settings.Credentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code [repository]} keys of {@code type = "s3"} (docs/configuration.md), validated one clause per mistake. */
final class S3Keys {
    private static final List<String> KEYS = List.of("bucket", "prefix", "region", "endpoint", "path-style",
            "credentials", "access-key-id", "secret-access-key-file", "profile", "instance-metadata", "sse",
            "sse-kms-key-id", "storage-class", "checksum", "conditional-write", "connect-timeout", "read-timeout",
            "request-timeout", "call-timeout", "sdk-attempts", "max-connections", "multipart-threshold-mib",
            "part-size-mib");
    /** S3's rules for new bucket names (3-63 lower-case letters, digits, dots, hyphens). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** AWS's storage classes for objects in a general purpose bucket that can be read at once. */
    private static final List<String> AWS_STORAGE_CLASSES = List.of("STANDARD", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "GLACIER_IR", "REDUCED_REDUNDANCY");
    private static final Set<String> RESTORE_FIRST = Set.of("GLACIER", "DEEP_ARCHIVE");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*");

    private S3Keys() {}

    static Set<String> withPosix(Set<String> posix) {
        Set<String> all = new HashSet<>(posix);
        all.addAll(KEYS);
        return Set.copyOf(all);
    }

    /** Secret material never belongs in the file: a clear refusal rather than "unknown key". */
    static void rejectSecrets(ConfigTree tree) {
        for (String key : List.of("secret-access-key", "secret-key", "session-token")) {
            if (tree.has("repository", key)) {
                tree.error("repository." + key, "secrets are never read from walstow.toml; put the secret in a "
                        + "file (mode 0600) named by secret-access-key-file, or use the environment, a profile or "
                        + "an instance role (credentials = \"chain\")");
            }
        }
    }

    static void rejectForPosix(ConfigTree tree) {
        for (String key : KEYS) {
            if (tree.has("repository", key)) {
                tree.error("repository." + key, "is only for type = \"s3\"");
            }
        }
    }

    static RepositoryConfig parse(ConfigTree tree) {
        String t = "repository";
        Optional<String> bucket = tree.string(t, "bucket");
        if (bucket.isEmpty() && !tree.has(t, "bucket")) {
            tree.error("repository.bucket", "required for type = \"s3\": the bucket name");
        } else if (bucket.isPresent() && !BUCKET.matcher(bucket.get()).matches()) {
            tree.error("repository.bucket", "must be a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-'), got \""
                    + bucket.get() + "\"");
        }
        String prefix = tree.string(t, "prefix").map(p -> p.endsWith("/") ? p : p + "/").orElse("");
        if (!PREFIX.matcher(prefix).matches()) {
            tree.error("repository.prefix", "must be /-separated components of A-Z a-z 0-9 . _ - (no leading dot or "
                    + "slash), e.g. \"walstow/db1\", got \"" + prefix + "\"");
        }
        String region = tree.string(t, "region").orElse("us-east-1");
        Optional<URI> endpoint = tree.string(t, "endpoint").flatMap(e -> endpoint(tree, e));
        boolean pathStyle = tree.bool(t, "path-style", false);
        Credentials credentials = credentials(tree);
        S3Settings.Encryption sse = switch (tree.string(t, "sse").orElse("none")) {
            case "none" -> new S3Settings.Encryption.None();
            case "sse-s3" -> new S3Settings.Encryption.S3Managed();
            case "sse-kms" -> new S3Settings.Encryption.Kms(tree.string(t, "sse-kms-key-id"));
            case String other -> {
                tree.error("repository.sse", "must be \"none\", \"sse-s3\" or \"sse-kms\", got \"" + other + "\"");
                yield new S3Settings.Encryption.None();
            }
        };
        if (tree.has(t, "sse-kms-key-id") && !(sse instanceof S3Settings.Encryption.Kms)) {
            tree.error("repository.sse-kms-key-id", "needs sse = \"sse-kms\"");
        }
        Optional<String> storageClass = tree.string(t, "storage-class");
        storageClass.ifPresent(c -> checkStorageClass(tree, c, !tree.has(t, "endpoint")));
        S3Settings.Checksum checksum = switch (tree.string(t, "checksum").orElse("crc32c")) {
            case "crc32c" -> S3Settings.Checksum.CRC32C;
            case "sha256" -> S3Settings.Checksum.SHA256;
            case String other -> {
                tree.error("repository.checksum", "must be \"crc32c\" or \"sha256\", got \"" + other + "\"");
                yield S3Settings.Checksum.CRC32C;
            }
        };
        S3Settings.ConditionalWrite conditional = switch (tree.string(t, "conditional-write").orElse("auto")) {
            case "auto" -> S3Settings.ConditionalWrite.AUTO;
            case "if-none-match" -> S3Settings.ConditionalWrite.IF_NONE_MATCH;
            case "head" -> S3Settings.ConditionalWrite.HEAD_CHECK;
            case String other -> {
                tree.error("repository.conditional-write", "must be \"auto\", \"if-none-match\" or \"head\", got \""
                        + other + "\"");
                yield S3Settings.ConditionalWrite.AUTO;
            }
        };
        S3Settings.Timeouts d = S3Settings.Timeouts.DEFAULT;
        Duration connect = tree.duration(t, "connect-timeout", d.connect(), Duration.ofMillis(100), Duration.ofMinutes(5));
        Duration read = tree.duration(t, "read-timeout", d.read(), Duration.ofMillis(100), Duration.ofMinutes(30));
        Duration attempt = tree.duration(t, "request-timeout", d.attempt(), Duration.ofMillis(100), Duration.ofHours(1));
        Duration call = tree.duration(t, "call-timeout", d.call(), Duration.ofMillis(100), Duration.ofHours(1));
        if (call.compareTo(attempt) < 0) {
            tree.error("repository.call-timeout", "must not be shorter than repository.request-timeout");
            call = attempt;
        }
        int attempts = tree.integer(t, "sdk-attempts", 3, 1, 10);
        int connections = tree.integer(t, "max-connections", 32, 1, 1024);
        int threshold = tree.integer(t, "multipart-threshold-mib", 64, 5, 5 * 1024);
        int part = tree.integer(t, "part-size-mib", 16, 5, 5 * 1024);
        if (bucket.isEmpty() || credentials == null) {
            return null;
        }
        try {
            return new RepositoryConfig.S3(new S3Settings(bucket.get(), prefix, region, endpoint, pathStyle,
                    credentials, sse, storageClass, checksum, conditional, new S3Settings.Timeouts(connect, read,
                    attempt, call), attempts, connections, (long) threshold << 20, (long) part << 20));
        } catch (IllegalArgumentException e) {
            tree.error("[repository]", e.getMessage());
            return null;
        }
    }

    /**
     * Any upper-case name for other stores, which define their own (a Ceph RGW placement, say). On AWS, one of its
     * classes, so a typo fails here rather than on the first push; never one that must be restored (hours) before
     * it can be read, which archive-get and restore cannot wait for.
     */
    private static void checkStorageClass(ConfigTree tree, String storageClass, boolean aws) {
        if (!storageClass.matches("[A-Z_]{2,40}")) {
            tree.error("repository.storage-class", "must be an S3 storage class such as STANDARD, STANDARD_IA, "
                    + "INTELLIGENT_TIERING, got \"" + storageClass + "\"");
        } else if (aws && RESTORE_FIRST.contains(storageClass)) {
            tree.error("repository.storage-class", storageClass + " objects must be restored (hours) before they "
                    + "can be read, so archive-get and restore would fail; use STANDARD_IA, GLACIER_IR or "
                    + "INTELLIGENT_TIERING, and a lifecycle rule for older objects if at all");
        } else if (aws && !AWS_STORAGE_CLASSES.contains(storageClass)) {
            tree.error("repository.storage-class", "\"" + storageClass + "\" is not an AWS S3 storage class ("
                    + String.join(", ", AWS_STORAGE_CLASSES) + "); a store's own class needs repository.endpoint");
        }
    }

    private static Optional<URI> endpoint(ConfigTree tree, String text) {
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                tree.error("repository.endpoint", "must be an http:// or https:// URL, got \"" + text + "\"");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            tree.error("repository.endpoint", "must be an http:// or https:// URL, got \"" + text + "\"");
            return Optional.empty();
        }
    }

    private static Credentials credentials(ConfigTree tree) {
        String t = "repository";
        String kind = tree.string(t, "credentials").orElse("chain");
        Optional<String> keyId = tree.string(t, "access-key-id");
        Optional<Path> secretFile = tree.absolutePath(t, "secret-access-key-file");
        Optional<String> profile = tree.string(t, "profile");
        boolean imds = tree.bool(t, "instance-metadata", true);
        if (!kind.equals("static") && (tree.has(t, "access-key-id") || tree.has(t, "secret-access-key-file"))) {
            tree.error("repository.access-key-id", "and secret-access-key-file need credentials = \"static\"");
        }
        if (!kind.equals("chain") && !kind.equals("profile") && tree.has(t, "profile")) {
            tree.error("repository.profile", "needs credentials = \"chain\" or \"profile\"");
        }
        if (!kind.equals("chain") && tree.has(t, "instance-metadata")) {
            tree.error("repository.instance-metadata", "only applies to credentials = \"chain\"");
        }
        return switch (kind) {
            case "chain" -> new Credentials.Chain(profile, imds);
            case "static" -> {
                if (keyId.isEmpty() || secretFile.isEmpty()) {
                    if (!tree.has(t, "access-key-id") || !tree.has(t, "secret-access-key-file")) {
                        tree.error("repository.credentials", "\"static\" needs access-key-id and "
                                + "secret-access-key-file (an absolute path; the secret on its first line)");
                    }
                    yield null;
                }
                yield new Credentials.Static(keyId.get(), secretFile.get());
            }
            case "environment" -> new Credentials.Environment();
            case "profile" -> {
                if (profile.isEmpty()) {
                    tree.error("repository.profile", "required for credentials = \"profile\"");
                    yield null;
                }
                yield new Credentials.Profile(profile.get());
            }
            case "web-identity" -> new Credentials.WebIdentity();
            case "instance" -> new Credentials.Instance();
            default -> {
                tree.error("repository.credentials", "must be \"chain\", \"static\", \"environment\", \"profile\", "
                        + "\"web-identity\" or \"instance\", got \"" + kind + "\"");
                yield null;
            }
        };
    }
}
