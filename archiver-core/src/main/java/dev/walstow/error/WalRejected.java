package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/** A WAL file is refused: it is not what its name says, or it clashes with a different archived file. */
public final class WalRejected extends WalstowException {

    public WalRejected(ErrorCode code, String message, String hint) {
        super(code, message, hint, null);
    }

    public static WalRejected invalid(String message, String hint) {
        return new WalRejected(ErrorCode.INVALID_WAL, message, hint);
    }

    public static WalRejected duplicate(String message, String hint) {
        return new WalRejected(ErrorCode.DUPLICATE, message, hint);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
