package dev.walstow.agent;

/**
 * A failure that already says, for a user, what failed and what to do: {@link Failures#describe} uses its one line
 * as it is. Implemented by the archiver's {@code WalstowException}, which this JDK-only module cannot name.
 */
public interface Explained {
    /** The failure's {@code [WS-CODE] message HINT: hint} line, made by {@link ErrorCode#line}. */
    String oneLine();
}
