package dev.walstow.error;

import dev.walstow.agent.ErrorCode;

/**
 * The repository lock stands in the way ({@code dev.walstow.repo.RepositoryLock}): another backup or expire holds
 * it, or this run lost it (taken over, or not renewed in time) and must stop. Never retried: a retry would either
 * wait for the holder, which a command does not do unasked, or carry on without the lock.
 */
public final class LockConflict extends WalstowException {

    public LockConflict(String message, String hint) {
        super(ErrorCode.LOCKED, message, hint, null);
    }

    public LockConflict(String message, String hint, Throwable cause) {
        super(ErrorCode.LOCKED, message, hint, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
