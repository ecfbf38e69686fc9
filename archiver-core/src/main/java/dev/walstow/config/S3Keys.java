package dev.walstow.config;

import static dev.walstow.config.ConfigKeys.*;

import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.storage.s3.S3Settings;
import dev.walstow.storage.s3.S3Settings.Credentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code [repository]} keys of {@code type = "s3"} (docs/configuration.md), validated one clause per mistake. */
final class S3Keys {
    /** S3's rules for new bucket names (3-63 lower-case letters, digits, dots, hyphens). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** AWS's storage classes for objects in a general purpose bucket that can be read at once. */
    private static final List<String> AWS_STORAGE_CLASSES = List.of("STANDARD", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "GLACIER_IR", "REDUCED_REDUNDANCY");
    private static final Set<String> RESTORE_FIRST = Set.of("GLACIER", "DEEP_ARCHIVE");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*");

    private S3Keys() {}

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

    static RepositoryConfig parse(ConfigTree tree) {
        Optional<String> bucket = tree.get(REPOSITORY_BUCKET);
        if (bucket.isEmpty() && !tree.has(REPOSITORY_BUCKET)) {
            tree.error(REPOSITORY_BUCKET, "required for type = \"s3\": the bucket name");
        } else if (bucket.isPresent() && !BUCKET.matcher(bucket.get()).matches()) {
            tree.error(REPOSITORY_BUCKET, "must be a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-'), got \""
                    + bucket.get() + "\"");
        }
        String prefix = tree.get(REPOSITORY_PREFIX).map(p -> p.endsWith("/") ? p : p + "/").orElse("");
        if (!PREFIX.matcher(prefix).matches()) {
            tree.error(REPOSITORY_PREFIX, "must be /-separated components of A-Z a-z 0-9 . _ - (no leading dot or "
                    + "slash), e.g. \"walstow/db1\", got \"" + prefix + "\"");
        }
        String region = tree.get(REPOSITORY_REGION).orElseThrow();
        Optional<URI> endpoint = tree.get(REPOSITORY_ENDPOINT).flatMap(e -> endpoint(tree, e));
        boolean pathStyle = tree.get(REPOSITORY_PATH_STYLE);
        Credentials credentials = credentials(tree);
        S3Settings.Encryption sse = switch (tree.get(REPOSITORY_SSE)) {
            case "none" -> new S3Settings.Encryption.None();
            case "sse-s3" -> new S3Settings.Encryption.S3Managed();
            case "sse-kms" -> new S3Settings.Encryption.Kms(tree.get(REPOSITORY_SSE_KMS_KEY_ID));
            default -> new S3Settings.Encryption.None(); // "none", or a mistake already reported
        };
        if (tree.has(REPOSITORY_SSE_KMS_KEY_ID) && !(sse instanceof S3Settings.Encryption.Kms)) {
            tree.error(REPOSITORY_SSE_KMS_KEY_ID, "needs sse = \"sse-kms\"");
        }
        Optional<String> storageClass = tree.get(REPOSITORY_STORAGE_CLASS);
        storageClass.ifPresent(c -> checkStorageClass(tree, c, !tree.has(REPOSITORY_ENDPOINT)));
        S3Settings.Checksum checksum = switch (tree.get(REPOSITORY_CHECKSUM)) {
            case "crc32c" -> S3Settings.Checksum.CRC32C;
            case "sha256" -> S3Settings.Checksum.SHA256;
            default -> S3Settings.Checksum.CRC32C;
        };
        S3Settings.ConditionalWrite conditional = switch (tree.get(REPOSITORY_CONDITIONAL_WRITE)) {
            case "auto" -> S3Settings.ConditionalWrite.AUTO;
            case "if-none-match" -> S3Settings.ConditionalWrite.IF_NONE_MATCH;
            case "head" -> S3Settings.ConditionalWrite.HEAD_CHECK;
            default -> S3Settings.ConditionalWrite.AUTO;
        };
        Duration connect = tree.get(REPOSITORY_CONNECT_TIMEOUT);
        Duration read = tree.get(REPOSITORY_READ_TIMEOUT);
        Duration attempt = tree.get(REPOSITORY_REQUEST_TIMEOUT);
        Duration call = tree.get(REPOSITORY_CALL_TIMEOUT);
        if (call.compareTo(attempt) < 0) {
            tree.error(REPOSITORY_CALL_TIMEOUT, "must not be shorter than repository.request-timeout");
            call = attempt;
        }
        int attempts = tree.get(REPOSITORY_SDK_ATTEMPTS);
        int connections = tree.get(REPOSITORY_MAX_CONNECTIONS);
        int threshold = tree.get(REPOSITORY_MULTIPART_THRESHOLD_MIB);
        int part = tree.get(REPOSITORY_PART_SIZE_MIB);
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
            tree.error(REPOSITORY_STORAGE_CLASS, "must be an S3 storage class such as STANDARD, STANDARD_IA, "
                    + "INTELLIGENT_TIERING, got \"" + storageClass + "\"");
        } else if (aws && RESTORE_FIRST.contains(storageClass)) {
            tree.error(REPOSITORY_STORAGE_CLASS, storageClass + " objects must be restored (hours) before they "
                    + "can be read, so archive-get and restore would fail; use STANDARD_IA, GLACIER_IR or "
                    + "INTELLIGENT_TIERING, and a lifecycle rule for older objects if at all");
        } else if (aws && !AWS_STORAGE_CLASSES.contains(storageClass)) {
            tree.error(REPOSITORY_STORAGE_CLASS, "\"" + storageClass + "\" is not an AWS S3 storage class ("
                    + String.join(", ", AWS_STORAGE_CLASSES) + "); a store's own class needs repository.endpoint");
        }
    }

    private static Optional<URI> endpoint(ConfigTree tree, String text) {
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                tree.error(REPOSITORY_ENDPOINT, "must be an http:// or https:// URL, got \"" + text + "\"");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            tree.error(REPOSITORY_ENDPOINT, "must be an http:// or https:// URL, got \"" + text + "\"");
            return Optional.empty();
        }
    }

    private static Credentials credentials(ConfigTree tree) {
        String kind = tree.get(REPOSITORY_CREDENTIALS);
        Optional<String> keyId = tree.get(REPOSITORY_ACCESS_KEY_ID);
        Optional<Path> secretFile = tree.get(REPOSITORY_SECRET_ACCESS_KEY_FILE);
        Optional<String> profile = tree.get(REPOSITORY_PROFILE);
        boolean imds = tree.get(REPOSITORY_INSTANCE_METADATA);
        if (!kind.equals("static") && (tree.has(REPOSITORY_ACCESS_KEY_ID)
                || tree.has(REPOSITORY_SECRET_ACCESS_KEY_FILE))) {
            tree.error(REPOSITORY_ACCESS_KEY_ID, "and secret-access-key-file need credentials = \"static\"");
        }
        if (!kind.equals("chain") && !kind.equals("profile") && tree.has(REPOSITORY_PROFILE)) {
            tree.error(REPOSITORY_PROFILE, "needs credentials = \"chain\" or \"profile\"");
        }
        if (!kind.equals("chain") && tree.has(REPOSITORY_INSTANCE_METADATA)) {
            tree.error(REPOSITORY_INSTANCE_METADATA, "only applies to credentials = \"chain\"");
        }
        return switch (kind) {
            case "chain" -> new Credentials.Chain(profile, imds);
            case "static" -> {
                if (keyId.isEmpty() || secretFile.isEmpty()) {
                    if (!tree.has(REPOSITORY_ACCESS_KEY_ID) || !tree.has(REPOSITORY_SECRET_ACCESS_KEY_FILE)) {
                        tree.error(REPOSITORY_CREDENTIALS, "\"static\" needs access-key-id and "
                                + "secret-access-key-file (an absolute path; the secret on its first line)");
                    }
                    yield null;
                }
                yield new Credentials.Static(keyId.get(), secretFile.get());
            }
            case "environment" -> new Credentials.Environment();
            case "profile" -> {
                if (profile.isEmpty()) {
                    tree.error(REPOSITORY_PROFILE, "required for credentials = \"profile\"");
                    yield null;
                }
                yield new Credentials.Profile(profile.get());
            }
            case "web-identity" -> new Credentials.WebIdentity();
            case "instance" -> new Credentials.Instance();
            default -> null; // a mistake, already reported
        };
    }
}
