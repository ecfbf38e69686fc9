package dev.walstow.daemon.server;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.RequestHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: check the peer, wait (boundedly) for its one request, hand it to the {@link RequestHandler},
 * write the reply, close. Only adapts Netty events to those steps; decisions live in the handler and the policy.
 *
 * <p>Threading: {@code handle} runs on {@code dispatch} (virtual threads), never on the event loop, because the
 * handler is free to do blocking work before returning its future; a blocked event loop would stall every other
 * connection, including the PINGs that tell agents and systemd the daemon is alive. The reply is written back on
 * the connection's own event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private final RequestHandler handler;
    private final PeerPolicy policy;
    private final Duration requestTimeout;
    private final Executor dispatch;
    private final InFlight inFlight;

    private PeerCredentials peer;
    private boolean answered;
    private ScheduledFuture<?> timeout;

    ConnectionHandler(RequestHandler handler, PeerPolicy policy, Duration requestTimeout, Executor dispatch,
            InFlight inFlight) {
        this.handler = handler;
        this.policy = policy;
        this.requestTimeout = requestTimeout;
        this.dispatch = dispatch;
        this.inFlight = inFlight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        try {
            peer = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
        } catch (IOException | ClassCastException e) {
            log.warn("connection refused: cannot read the peer's credentials: {}", e.toString());
            ctx.close();
            return;
        }
        if (!policy.allows(peer.uid())) {
            // Answered before reading: if the peer already sent its request, the kernel reports ECONNRESET to it
            // after the reply frame. Agents read exactly one frame, so they still see the reason.
            log.warn("connection refused: uid {} (pid {}) is not allowed on the daemon socket ({} is)", peer.uid(),
                    peer.pid(), policy);
            replyAndClose(ctx, Reply.error(ErrorCode.USAGE, "connection refused: uid " + peer.uid()
                    + " is not allowed to use the walstow daemon (allowed: " + policy
                    + "); run as the PostgreSQL OS user or add the uid to [daemon] allowed-uids"));
            return;
        }
        // A deadline for the whole request, not an idle timeout: a peer trickling one byte at a time is cut off too.
        timeout = ctx.executor().schedule(() -> {
            log.info("dropped connection of pid {}: no complete request within {} ms", peer.pid(),
                    requestTimeout.toMillis());
            replyAndClose(ctx, Reply.error(ErrorCode.USAGE,
                    "malformed request: no complete request within " + requestTimeout.toMillis() + " ms"));
        }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered) {
            return; // refused or timed out; the reply is on its way and the connection closing
        }
        cancelTimeout();
        switch (msg) {
            case Request request -> dispatch(ctx, request);
            case MalformedRequest bad -> {
                log.warn("malformed request from pid {} uid {}: {}", peer.pid(), peer.uid(), bad.why());
                replyAndClose(ctx, Reply.error(ErrorCode.USAGE, "malformed request: " + bad.why()));
            }
            default -> throw new IllegalStateException("unexpected message " + msg.getClass());
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Request request) {
        answered = true;
        inFlight.enter();
        long start = System.nanoTime();
        CompletableFuture<CompletableFuture<Reply>> called;
        try {
            called = CompletableFuture.supplyAsync(() -> handler.handle(request), dispatch);
        } catch (RejectedExecutionException e) {
            write(ctx, Reply.error(ErrorCode.INTERNAL, "the walstow daemon is stopping; try again"))
                    .addListener(f -> inFlight.exit());
            return;
        }
        called
                .thenCompose(f -> f == null ? CompletableFuture.failedFuture(
                        new IllegalStateException("handler returned no future")) : f)
                .handle((reply, failure) -> reply != null && failure == null ? reply : internal(request, failure))
                .thenAccept(reply -> ctx.executor().execute(() -> {
                    log.debug("{} {} -> {} in {} ms", request.kind(), request.walFileName(), reply.status(),
                            (System.nanoTime() - start) / 1_000_000);
                    write(ctx, reply).addListener(f -> inFlight.exit());
                }));
    }

    private static Reply internal(Request request, Throwable failure) {
        // The handler contract says this never happens; if it does, the agent must see a failure, never success.
        log.error("request handler failed on {} {}: {}", request.kind(), request.walFileName(),
                String.valueOf(failure));
        log.debug("request handler failure", failure);
        return Reply.error(ErrorCode.INTERNAL, ErrorCode.INTERNAL.line("daemon request handler failed: "
                + (failure == null ? "no reply" : Failures.describe(failure)),
                "this is a bug in walstow; please report it with the daemon's log"));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // Half-closure is allowed so that an agent may shutdown(SHUT_WR) after its request and still get the reply;
        // a peer that half-closes before a complete request has nothing more to say.
        if (evt instanceof ChannelInputShutdownEvent && !answered) {
            cancelTimeout();
            answered = true;
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically the peer went away (ECONNRESET, EPIPE); this connection ends, the daemon serves on.
        log.debug("connection error, closing: {}", cause.toString());
        ctx.close();
    }

    private void replyAndClose(ChannelHandlerContext ctx, Reply reply) {
        answered = true;
        write(ctx, reply);
    }

    private static io.netty.channel.ChannelFuture write(ChannelHandlerContext ctx, Reply reply) {
        return ctx.writeAndFlush(Unpooled.wrappedBuffer(ReplyFrames.encode(reply)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
