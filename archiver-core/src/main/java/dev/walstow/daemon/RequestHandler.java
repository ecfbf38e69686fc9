package dev.walstow.daemon;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon's logic behind the socket. The Netty server only decodes frames, checks the peer and calls this; all
 * decisions live behind this interface so they can be tested without a socket.
 *
 * <p>Contract: never throws; the returned future always completes, within the configured
 * {@code [daemon] wait-timeout} plus a small margin, with a reply the agent can map to an exit code. A failure
 * the daemon cannot classify is {@code Reply.error(ErrorCode.INTERNAL, ...)}, never a silent success.
 */
public interface RequestHandler {
    CompletableFuture<Reply> handle(Request request);
}
