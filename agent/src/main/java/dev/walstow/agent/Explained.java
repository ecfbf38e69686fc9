package dev.walstow.agent;

/**
 * A failure whose own text was written for a user: what failed and where, and for a WS error what to do.
 * {@link Failures#describe} takes that text as it is instead of guessing from the type and the message. Implemented
 * by walstow's own exceptions, which this JDK-only module cannot name: the archiver's {@code WalstowException} (its
 * one line) and storage's {@code StorageException} (its message).
 */
public interface Explained {
    /** The failure in words, on one line. */
    String explanation();
}
