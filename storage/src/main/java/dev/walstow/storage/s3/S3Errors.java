package dev.walstow.storage.s3;

import dev.walstow.agent.Failures;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StorageException.Kind;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Maps what the SDK throws to {@link StorageException} kinds. The one rule that matters most: nothing here ever
 * means "not found". Callers turn a 404 {@code NoSuchKey} into an empty answer themselves, before calling this, so
 * that a missing bucket, a 403 or an outage can never make archive-get answer "not in the archive".
 */
final class S3Errors {
    private S3Errors() {}

    /** Strips the wrappers that futures add, to reach the SDK's exception. */
    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The HTTP status of a service error, or -1 when the store never answered. */
    static int status(Throwable t) {
        return unwrap(t) instanceof AwsServiceException s ? s.statusCode() : -1;
    }

    /** The S3 error code ({@code NoSuchKey}, {@code SlowDown}, ...), or "" when there is none (HEAD has no body). */
    static String code(Throwable t) {
        if (unwrap(t) instanceof AwsServiceException s && s.awsErrorDetails() != null
                && s.awsErrorDetails().errorCode() != null) {
            return s.awsErrorDetails().errorCode();
        }
        return "";
    }

    static StorageException map(Throwable thrown, String operation, String key, String location) {
        Throwable t = unwrap(thrown);
        if (t instanceof StorageException se) {
            return se;
        }
        String what = operation + (key == null ? "" : " " + key) + " in " + location + ": ";
        if (t instanceof AwsServiceException s) {
            int status = s.statusCode();
            String code = code(s);
            String detail = "HTTP " + status + (code.isEmpty() ? "" : " " + code);
            Kind kind = serviceKind(status, code);
            String hint = switch (kind) {
                case PERMISSION_DENIED -> status == 403
                        ? "; check the credentials and the bucket policy (s3:GetObject, s3:PutObject, s3:ListBucket)"
                        : code.equals("NoSuchBucket") ? "; check repository.bucket and repository.region" : "";
                case NO_SPACE -> "; the bucket's quota is exhausted";
                default -> "";
            };
            return new StorageException(kind, what + detail + hint, t);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return new StorageException(Kind.UNAVAILABLE, what + "timed out: " + Failures.describe(t), t);
        }
        if (t instanceof SdkClientException c) {
            // Classified by the SDK's own text; said in words, without the class names the SDK may put in it.
            String message = String.valueOf(c.getMessage());
            String said = Failures.describe(c);
            if (message.contains("Unable to load credentials") || message.contains("Unable to load region")) {
                return new StorageException(Kind.PERMISSION_DENIED, what + "no credentials: " + said
                        + "; configure repository.credentials (docs/configuration.md)", t);
            }
            if (message.toLowerCase(java.util.Locale.ROOT).contains("checksum")) {
                // Corrupted in transit: the stored object may well be intact, so another try can help.
                return new StorageException(Kind.IO, what + "checksum mismatch in transfer: " + said, t);
            }
            return new StorageException(Kind.UNAVAILABLE, what + "store unreachable: " + said, t);
        }
        return new StorageException(Kind.IO, what + Failures.describe(t), t);
    }

    private static Kind serviceKind(int status, String code) {
        return switch (code) {
            case "SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
                    "OperationAborted", "ConditionalRequestConflict" -> Kind.UNAVAILABLE;
            case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "IncompleteBody" -> Kind.IO;
            case "QuotaExceeded", "EntityTooLarge" -> Kind.NO_SPACE;
            case "NoSuchBucket" -> Kind.PERMISSION_DENIED;
            default -> status >= 500 || status == 429 || status == 408 || status == 409 ? Kind.UNAVAILABLE
                    : status == 507 ? Kind.NO_SPACE
                    : Kind.PERMISSION_DENIED;
        };
    }
}
