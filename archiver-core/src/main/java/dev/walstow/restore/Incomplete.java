package dev.walstow.restore;

import dev.walstow.error.DataError;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.LockConflict;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.UnexpectedError;
import dev.walstow.error.UserError;
import dev.walstow.error.WalRejected;
import dev.walstow.error.WalstowException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * A failure after a restore began writing: the same error (code, exit status, retry behaviour), its message saying
 * that the directory now holds an incomplete restore and its hint how to go on.
 */
final class Incomplete {
    private Incomplete() {}

    static WalstowException of(WalstowException e, Path root, Collection<Path> tablespaces) {
        String message = e.getMessage() + "; the restore into " + root + " is incomplete (PostgreSQL cannot start it: "
                + "global/pg_control is written last)";
        String where = tablespaces.isEmpty() ? root.toString()
                : root + " and the tablespace directories " + tablespaces.stream().map(Path::toString).sorted()
                        .reduce((a, b) -> a + ", " + b).orElse("");
        String next = "then run the same walstow restore again: it resumes, reusing what was written (or delete "
                + where + " and start afresh)";
        String hint = e.hint() == null || e.hint().isBlank() ? next : e.hint() + "; " + next;
        return switch (e) {
            case DataError d -> new DataError(d.code(), message, hint, e);
            case RepositoryError r -> new RepositoryError(message, hint, r.retryable(), e);
            case LocalIoError l -> new LocalIoError(message, hint, e);
            case UserError u -> new UserError(u.code(), message, hint, e);
            case WalRejected w -> new WalRejected(w.code(), message, hint);
            case LockConflict c -> new LockConflict(message, hint, e);
            case UnexpectedError u -> u;
        };
    }
}
