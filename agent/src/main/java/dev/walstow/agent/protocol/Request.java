package dev.walstow.agent.protocol;

/**
 * What the agent asks the daemon, on behalf of one PostgreSQL archive_command or restore_command call.
 *
 * @param kind what to do
 * @param walFileName the WAL file name (%f for get; the last component of %p for push); empty for PING
 * @param path %p exactly as PostgreSQL passed it; empty for PING
 * @param workingDirectory the agent's working directory (PostgreSQL's data directory), to resolve a relative %p
 * @param configFingerprint {@link dev.walstow.agent.spool.ConfigFile#fingerprint} of the configuration file the
 *     call uses (empty if it has none): a daemon that loaded another file, or this one before a change, does not
 *     answer, so a call is never served from the state of a repository its configuration no longer names
 */
public record Request(Kind kind, String walFileName, String path, String workingDirectory, String configFingerprint)
        implements Message {

    public enum Kind {
        PUSH(1), GET(2), PING(3);

        final int wire;

        Kind(int wire) {
            this.wire = wire;
        }
    }

    public Request {
        if (kind == null || walFileName == null || path == null || workingDirectory == null
                || configFingerprint == null) {
            throw new IllegalArgumentException("request fields must not be null");
        }
    }

    /** A request that names no configuration file (served only by a daemon that was given none: tests). */
    public Request(Kind kind, String walFileName, String path, String workingDirectory) {
        this(kind, walFileName, path, workingDirectory, "");
    }

    public static Request ping() {
        return new Request(Kind.PING, "", "", "");
    }
}
