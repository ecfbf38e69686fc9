package dev.walstow.daemon.server;

import dev.walstow.agent.Failures;
import dev.walstow.daemon.RequestHandler;
import dev.walstow.error.LocalIoError;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's Unix domain socket server: accepts agent connections and passes each one request to a
 * {@link RequestHandler}.
 *
 * <p>One I/O thread: a cluster produces at most a few hundred requests per second, each a few hundred bytes, and
 * every slow step happens off the event loop. A single loop also makes the systemd watchdog meaningful: it is fed
 * from this loop ({@link #eventLoop()}), so a stuck loop stops the feeding.
 *
 * <p>Lifecycle: {@link #start()} once; then {@link #stopAccepting()}, {@link #awaitInFlight(Duration)},
 * {@link #close()} (or {@link #stop(Duration)} for all three).
 */
public final class DaemonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonServer.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final ServerSettings settings;
    private final RequestHandler handler;
    private final SocketFile socketFile;
    private final InFlight inFlight = new InFlight();
    private EventLoopGroup group;
    private ExecutorService dispatch;
    private Channel serverChannel;
    private boolean closed;

    public DaemonServer(ServerSettings settings, RequestHandler handler) {
        this.settings = settings;
        this.handler = handler;
        this.socketFile = new SocketFile(settings.socket());
    }

    /**
     * Binds the socket and starts serving. Throws {@link dev.walstow.error.UserError} when another daemon answers
     * on the socket, {@link LocalIoError} when the socket cannot be created.
     */
    public synchronized void start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        if (!Epoll.isAvailable()) {
            throw new LocalIoError("Netty epoll transport unavailable: " + Epoll.unavailabilityCause(),
                    "the daemon needs Linux (x86_64) and native access (--enable-native-access=ALL-UNNAMED)",
                    Epoll.unavailabilityCause());
        }
        socketFile.prepare();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("walstow-daemon-io"),
                EpollIoHandler.newFactory());
        dispatch = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("walstow-request-", 0).factory());
        try {
            ChannelFuture bound = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            ch.pipeline().addLast(new FrameDecoder(), new ConnectionHandler(handler,
                                    settings.peers(), settings.requestTimeout(), dispatch, inFlight));
                        }
                    })
                    .bind(new DomainSocketAddress(socketFile.path().toString()))
                    .awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw new IOException("bind failed: " + Failures.describe(bound.cause()), bound.cause());
            }
            serverChannel = bound.channel();
            socketFile.restrict();
        } catch (IOException e) {
            shutdownQuietly();
            throw new LocalIoError("cannot listen on " + socketFile.path() + ": " + Failures.describe(e),
                    "check that the data directory is writable by the daemon's user", e);
        }
        log.info("daemon listening on {} (peers: {})", socketFile.path(), settings.peers());
    }

    /** The socket this server listens on. */
    public Path socket() {
        return socketFile.path();
    }

    /** The I/O event loop; work scheduled here runs only while the loop is responsive. */
    public synchronized EventLoop eventLoop() {
        if (group == null) {
            throw new IllegalStateException("not started");
        }
        return group.next();
    }

    /** Requests received whose reply is not yet written. */
    public int inFlight() {
        return inFlight.count();
    }

    /**
     * Closes the listening socket and removes its file: new agents get "no daemon" at once (and fall back as
     * configured) instead of queueing behind a daemon that is going away. Connections already accepted go on.
     */
    public synchronized void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
            serverChannel = null;
            socketFile.remove();
            log.info("daemon stopped accepting connections on {}", socketFile.path());
        }
    }

    /** Waits for in-flight requests to be answered; returns how many were still unanswered after {@code bound}. */
    public int awaitInFlight(Duration bound) throws InterruptedException {
        return inFlight.awaitIdle(bound);
    }

    /** Stops accepting, lets in-flight requests finish within {@code drain}, then closes everything. */
    public void stop(Duration drain) {
        stopAccepting();
        try {
            int left = awaitInFlight(drain);
            if (left > 0) {
                log.warn("daemon stopping with {} request(s) unanswered after {} ms", left, drain.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Closes every connection and the event loop, without waiting for in-flight requests. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed || group == null) {
            closed = true;
            return;
        }
        closed = true;
        stopAccepting();
        shutdownQuietly();
        log.info("daemon server stopped");
    }

    private void shutdownQuietly() {
        if (dispatch != null) {
            dispatch.shutdown();
        }
        if (group != null) {
            group.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2);
        }
        socketFile.remove();
        socketFile.releaseLock();
    }
}
