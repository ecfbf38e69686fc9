package dev.walstow.error;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Explained;

/**
 * Every failure walstow reports to a user. Each carries a stable {@link ErrorCode} (which fixes the exit status),
 * a sentence saying what failed and why, and a hint saying what to do. {@link #oneLine()} is what lands in the
 * PostgreSQL log: one line, so that log-based alerting sees the whole story.
 *
 * <p>The subclasses only group codes by where the fault lies (the caller, the local machine, the repository, the
 * data), which decides whether retrying can help.
 */
public abstract sealed class WalstowException extends RuntimeException implements Explained
        permits UserError, WalRejected, RepositoryError, DataError, LocalIoError, UnexpectedError, LockConflict {

    private final ErrorCode code;
    private final String hint;

    protected WalstowException(ErrorCode code, String message, String hint, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.hint = hint;
    }

    public ErrorCode code() {
        return code;
    }

    /** What to do about it; may be empty. */
    public String hint() {
        return hint;
    }

    /** Whether repeating the same operation later may succeed (e.g. an unreachable store, a torn read). */
    public abstract boolean retryable();

    /** {@code [WS-CODE] message HINT: hint} on a single line, as {@link ErrorCode#line} renders every WS line. */
    public String oneLine() {
        return code.line(getMessage(), hint);
    }

    /** Described for a user, a walstow error is its one line: code, message and hint. */
    @Override
    public String explanation() {
        return oneLine();
    }
}
