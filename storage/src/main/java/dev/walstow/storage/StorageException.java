package dev.walstow.storage;

import dev.walstow.agent.Explained;
import java.io.IOException;

/**
 * A repository operation failed. Never means "not found" (that is an empty {@link java.util.Optional}).
 * The message names the operation, key and location; it never contains credentials.
 */
public class StorageException extends IOException implements Explained {

    /** Why it failed, so callers can decide whether a retry can help and what to tell the user. */
    public enum Kind {
        /** The store could not be reached or did not answer in time; a retry may help. */
        UNAVAILABLE(true),
        /** The store refused us (file permissions, credentials, bucket policy). */
        PERMISSION_DENIED(false),
        /** No space left on the device or quota exceeded. */
        NO_SPACE(false),
        /** The store holds something under the key that is not a valid walstow object (e.g. a half-written file). */
        CORRUPT(false),
        /** The key is not a valid object key. A bug in the caller, never user input reaching a path. */
        INVALID_KEY(false),
        /** Any other I/O failure; a retry may help. */
        IO(true);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind.retryable();
    }

    /** The message: written for a user here, so {@link dev.walstow.agent.Failures#describe} keeps it as it is. */
    @Override
    public String explanation() {
        return getMessage();
    }
}
