package dev.walstow.daemon;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.error.WalstowException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The reply to an agent for a push or get that failed: one place, so that both say the same in the same form (the
 * error's own one line for a {@link WalstowException}; STORAGE for a wait that ran out; INTERNAL, a walstow bug, for
 * anything else).
 */
final class Replies {
    private Replies() {}

    /** @param timedOut what to say when the wait ran out, after the {@code [WS-STORAGE]} id */
    static Reply forFailure(Throwable failure, String timedOut) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return switch (cause) {
            case WalstowException e -> Reply.error(e.code(), e.oneLine());
            case TimeoutException t -> Reply.error(ErrorCode.STORAGE, ErrorCode.STORAGE.line(timedOut, null));
            default -> Reply.error(ErrorCode.INTERNAL, ErrorCode.INTERNAL.line("unexpected failure: "
                    + Failures.describe(cause), "this is a bug in walstow; please report it with the daemon's log"));
        };
    }
}
