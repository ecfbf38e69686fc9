package dev.walstow.error;

import dev.walstow.agent.ErrorCode;
import dev.walstow.storage.StorageException;

/** The repository could not be read or written. Retryable when the store says a retry may help. */
public final class RepositoryError extends WalstowException {
    private final boolean retryable;

    public RepositoryError(String message, String hint, boolean retryable, Throwable cause) {
        super(ErrorCode.STORAGE, message, hint, cause);
        this.retryable = retryable;
    }

    /** Wraps a backend failure with what walstow was doing and a hint chosen by the failure kind. */
    public static RepositoryError of(String doing, StorageException e) {
        String hint = switch (e.kind()) {
            case UNAVAILABLE, IO -> "check that the repository is reachable and healthy; walstow retries within "
                    + "[retry] attempts";
            case PERMISSION_DENIED -> "make the repository readable and writable by the user running walstow "
                    + "(the PostgreSQL OS user)";
            case NO_SPACE -> "free space in the repository or grow it; nothing was half-written";
            case CORRUPT -> "run walstow verify; move the damaged object aside only after checking it";
            case INVALID_KEY -> "this is a bug in walstow; please report it";
        };
        return new RepositoryError(doing + ": " + e.getMessage(), hint, e.retryable(), e);
    }

    /**
     * One attempt got no answer within {@code [daemon] operation-timeout}. Retryable: a hung mount or a stalled
     * connection often recovers, and the attempt that timed out can only leave nothing or a whole object behind.
     */
    public static RepositoryError timedOut(String doing, String location, java.time.Duration limit) {
        return new RepositoryError(doing + " in " + location + ": no answer within " + limit.toMillis()
                + " ms (operation timed out)", "check that the repository is reachable and responsive, or raise "
                + "[daemon] operation-timeout", true, null);
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
