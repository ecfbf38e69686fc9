package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/** A local file could not be read or written: the WAL file to push, the destination of a fetch, a key file. */
public final class LocalIoError extends WalstowException {

    public LocalIoError(String message, String hint, Throwable cause) {
        super(ErrorCode.LOCAL_IO, message, hint, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
