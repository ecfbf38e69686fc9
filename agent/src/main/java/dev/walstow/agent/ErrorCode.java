package dev.walstow.agent;

/**
 * Stable error codes and the exit status each maps to. Lives in the JDK-only agent module so that the thin client
 * and the archiver map failures identically (docs/exit-codes.md is the user-facing copy of this table).
 *
 * <p>Why two ranges: PostgreSQL retries a failing {@code archive_command} when it exits 1..125, but restarts the
 * archiver process for anything above 125. For {@code restore_command} the meaning flips: exit 1 means "not in
 * the archive" and silently ends recovery, so every failure that is not a positive "not there" must exit above 125
 * to make recovery stop instead of ending early.
 */
public enum ErrorCode {
    /** Bad command line: unknown option, %f/%p that are not WAL names, a path outside pg_wal. */
    USAGE(2),
    /** Configuration file missing, unparsable or invalid. */
    CONFIG(3),
    /** Repository not initialized, or bound to another cluster / major version / segment size. */
    BINDING(4),
    /** The local WAL file is not what its name says (header, size, system identifier). */
    INVALID_WAL(5),
    /** A different file of the same name is already archived; never overwritten. */
    DUPLICATE(6),
    /** The repository could not be read or written (unreachable, permission, disk full, timeout). */
    STORAGE(7),
    /** No usable key: missing secret key, wrong key, wrong passphrase. */
    KEY(8),
    /** An archived object failed its checksum, decryption integrity check or decompression. */
    INTEGRITY(9),
    /** A local file could not be read or written (source missing, destination not writable). */
    LOCAL_IO(10),
    /** A bug: something walstow did not expect. */
    INTERNAL(11),
    /**
     * The repository lock is held by a running backup or expire (so this one did not start), or this run lost the
     * lock to another and stopped. Never from archive-push or archive-get: they never take the lock.
     */
    LOCKED(12);

    /** Exit status of a successful command. */
    public static final int SUCCESS = 0;
    /** archive-get only: the repository positively answered that the file is not there. */
    public static final int GET_NOT_FOUND = 1;

    private final int number;

    ErrorCode(int number) {
        this.number = number;
    }

    /** Exit status for archive-push and every other command: 2..125, so PostgreSQL retries. */
    public int pushExit() {
        return number;
    }

    /** Exit status for archive-get: 200 + n, above 125 so PostgreSQL aborts recovery rather than ending it. */
    public int getExit() {
        return 200 + number;
    }

    /** Stable, greppable identifier printed with every error, e.g. {@code WS-DUPLICATE}. */
    public String id() {
        return "WS-" + name().replace('_', '-');
    }

    /**
     * The one rendering of an error for a user: {@code [WS-CODE] message HINT: hint}, on one line. Every such line
     * walstow prints (the agent's, the daemon's replies, {@code WalstowException.oneLine()}) is made here, so log
     * alerting that greps for {@code [WS-} or {@code HINT:} sees one form.
     *
     * <p>Line breaks become spaces: PostgreSQL's log keeps a command's stderr line by line, and an alert on one line
     * must see the whole story.
     *
     * @param hint what to do about it; null or blank for none
     */
    public String line(String message, String hint) {
        String text = "[" + id() + "] " + message;
        if (hint != null && !hint.isBlank()) {
            text += " HINT: " + hint;
        }
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
