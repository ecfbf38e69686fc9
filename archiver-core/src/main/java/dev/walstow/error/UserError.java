package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/** The caller or the configuration is wrong: bad arguments, bad config, repository bound elsewhere. Never retried. */
public final class UserError extends WalstowException {

    public UserError(ErrorCode code, String message, String hint) {
        super(code, message, hint, null);
    }

    public UserError(ErrorCode code, String message, String hint, Throwable cause) {
        super(code, message, hint, cause);
    }

    public static UserError usage(String message, String hint) {
        return new UserError(ErrorCode.USAGE, message, hint);
    }

    public static UserError config(String message, String hint) {
        return new UserError(ErrorCode.CONFIG, message, hint);
    }

    public static UserError binding(String message, String hint) {
        return new UserError(ErrorCode.BINDING, message, hint);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
