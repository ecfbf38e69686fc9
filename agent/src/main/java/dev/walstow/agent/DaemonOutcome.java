package dev.walstow.agent;

import dev.walstow.agent.protocol.Reply;

/** What came of asking the daemon: a reply, or why there is none. */
public sealed interface DaemonOutcome {

    /** The daemon answered (any status, including UNSUPPORTED). */
    record Answered(Reply reply) implements DaemonOutcome {}

    /** Nobody answered; {@code detail} says why in words fit for the PostgreSQL log. */
    record Unanswered(Why why, String detail) implements DaemonOutcome {}

    enum Why {
        /** No socket file, connection refused: the daemon is not running. */
        NO_DAEMON,
        /** Connected, but the daemon closed the connection (or reset it) without a reply. */
        NO_REPLY,
        /** The daemon sent something that is not a walstow reply. */
        PROTOCOL,
        /** No reply within the wait: the daemon may still be working on the request. */
        TIMEOUT,
        /** The daemon's heartbeat stopped while we waited (a hung or stopped daemon); it may resume later. */
        UNRESPONSIVE
    }
}
