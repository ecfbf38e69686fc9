package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/**
 * An archived object cannot be turned back into the original bytes: no or wrong key ({@link ErrorCode#KEY}), or
 * the bytes are damaged ({@link ErrorCode#INTEGRITY}). A damaged read may be a torn transfer, so integrity failures
 * are retried; key failures are not.
 */
public final class DataError extends WalstowException {

    public DataError(ErrorCode code, String message, String hint, Throwable cause) {
        super(code, message, hint, cause);
        if (code != ErrorCode.KEY && code != ErrorCode.INTEGRITY) {
            throw new IllegalArgumentException("DataError is for KEY or INTEGRITY, not " + code);
        }
    }

    public static DataError key(String message, String hint, Throwable cause) {
        return new DataError(ErrorCode.KEY, message, hint, cause);
    }

    public static DataError integrity(String message, String hint, Throwable cause) {
        return new DataError(ErrorCode.INTEGRITY, message, hint, cause);
    }

    @Override
    public boolean retryable() {
        return code() == ErrorCode.INTEGRITY;
    }
}
