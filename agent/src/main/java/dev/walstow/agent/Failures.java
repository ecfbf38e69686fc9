package dev.walstow.agent;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The one place that puts an arbitrary failure into words for a user: what failed and where, never a Java class
 * name. Whatever reaches a person (a line in PostgreSQL's log, a reply to the agent, {@code walstow status}, a
 * {@code WalstowException}'s message) describes a caught {@link Throwable} here; a developer finds the class and the
 * stack trace in the log, where they are logged with the throwable itself.
 *
 * <p>In this order: the text of a walstow exception ({@link Explained}); the JDK failures whose type says more than
 * their message; the thrower's own words, unless they name a class; the cause's description; else "unexpected".
 *
 * <p>Why in the JDK-only agent module: the agent, the storage backends and the archiver all describe failures, and
 * this is the one module all three can see.
 */
public final class Failures {
    /** What an interrupted thread was doing stops because walstow is stopping; nothing else interrupts its threads. */
    static final String INTERRUPTED = "interrupted (walstow is shutting down)";
    /** A failure that brings no words of its own: nothing walstow expects throws one. */
    static final String UNEXPECTED = "an unexpected failure (a bug in walstow)";

    /**
     * A Java class name, qualified ({@code java.nio.file.NoSuchFileException}: two package levels at least, so that a
     * file name like {@code backup.Old} is not one) or not ({@code SdkClientException}).
     */
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\b(?:[a-z][\\w$]*\\.){2,}[A-Z][\\w$]*|\\b[\\w$]*Exception\\b");
    /** {@code Throwable.toString()} put into another message: {@code java.net.ConnectException: }. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("^(?:(?:[a-z][\\w$]*\\.){2,}[A-Z][\\w$]*|[\\w$]*Exception)(?::\\s*|$)");
    /** Causes followed at most; a cause chain can be circular. */
    private static final int DEPTH = 8;

    private Failures() {}

    /** Words for {@code failure}: e.g. {@code no such file: /var/lib/x}, {@code connection refused}. */
    public static String describe(Throwable failure) {
        return describe(failure, 0);
    }

    private static String describe(Throwable t, int depth) {
        if (t == null) {
            return "no details";
        }
        String own = t instanceof Explained explained ? explained.explanation() : null;
        if (own != null && !own.isBlank()) {
            return own.replace('\n', ' ').replace('\r', ' ');
        }
        Throwable cause = depth < DEPTH ? t.getCause() : null;
        // A wrapper, or an exception made with new IOException(cause): the one inside says what happened.
        if (cause != null && (wrapper(t) || cause.toString().equals(t.getMessage()))) {
            return describe(cause, depth + 1);
        }
        String known = known(t);
        if (known != null) {
            return known;
        }
        String words = words(t.getMessage());
        if (words != null) {
            return words;
        }
        if (cause != null) {
            return describe(cause, depth + 1);
        }
        return t instanceof IOException ? "an I/O error the system did not explain" : UNEXPECTED;
    }

    /** Exceptions that only carry another one: the one inside says what happened. */
    private static boolean wrapper(Throwable t) {
        return t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                || t instanceof UncheckedIOException;
    }

    /** The JDK's own failures whose type says more than their message (often only a path, or nothing). */
    private static String known(Throwable t) {
        return switch (t) {
            case NoSuchFileException e -> "no such file" + at(e);
            case AccessDeniedException e -> "permission denied" + at(e);
            case FileAlreadyExistsException e -> "already exists" + at(e);
            case DirectoryNotEmptyException e -> "directory not empty" + at(e);
            case NotDirectoryException e -> "not a directory" + at(e);
            case FileSystemLoopException e -> "symbolic link loop" + at(e);
            // The JDK's own form, "/path: No space left on device", which people know from every other tool.
            case FileSystemException e -> e.getReason() == null || e.getReason().isBlank()
                    ? "file system error" + at(e) : e.getMessage();
            case ClosedByInterruptException _, InterruptedException _ -> INTERRUPTED;
            case AsynchronousCloseException _ -> "closed while in use";
            case ClosedChannelException _ -> "already closed";
            case ConnectException _ -> "connection refused";
            case UnknownHostException e -> "unknown host" + (words(e.getMessage()) == null ? ""
                    : " " + words(e.getMessage()));
            case SocketTimeoutException _, TimeoutException _ -> "timed out";
            case EOFException e -> "unexpected end of file" + (words(e.getMessage()) == null ? ""
                    : " (" + words(e.getMessage()) + ")");
            case OutOfMemoryError _ -> "out of memory";
            default -> null;
        };
    }

    /** {@code : /path}, or {@code : /from -> /to} for a move; nothing when the JDK named no file. */
    private static String at(FileSystemException e) {
        if (e.getFile() == null) {
            return "";
        }
        return ": " + e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile());
    }

    /**
     * The thrower's own words, without a class name that {@code toString()} may have put in front; null when there
     * are none or they name a class (say, a helpful NullPointerException's {@code "java.util.List.size()"}).
     */
    private static String words(String message) {
        if (message == null) {
            return null;
        }
        String text = message.strip();
        String shorter = CLASS_PREFIX.matcher(text).replaceFirst("").strip();
        while (!shorter.equals(text)) {
            text = shorter;
            shorter = CLASS_PREFIX.matcher(text).replaceFirst("").strip();
        }
        return text.isEmpty() || CLASS_NAME.matcher(text).find() ? null : text.replace('\n', ' ').replace('\r', ' ');
    }
}
