package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/**
 * Something walstow did not expect: a bug, or a failure no other type describes. Never retried automatically and
 * never mapped to success; the message says what was being done so the report is actionable.
 */
public final class UnexpectedError extends WalstowException {

    public UnexpectedError(String message, Throwable cause) {
        super(ErrorCode.INTERNAL, message, "this is a bug in walstow; please report it with the log lines around it",
                cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
