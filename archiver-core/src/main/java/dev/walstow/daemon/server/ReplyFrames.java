package dev.walstow.daemon.server;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;

/** Encodes replies so that a reply is always sendable, even when a handler puts a huge message in its reason. */
final class ReplyFrames {
    /** Far below {@link Frames#MAX_PAYLOAD} even at 4 UTF-8 bytes per char; a log line needs no more. */
    static final int MAX_REASON_CHARS = 2000;

    private ReplyFrames() {}

    static byte[] encode(Reply reply) {
        String reason = reply.reason();
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS) + "... (truncated)";
        }
        return Frames.encode(new Reply(reply.status(), reply.error(), reason.replace('\n', ' ')));
    }
}
