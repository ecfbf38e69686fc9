package dev.walstow.daemon.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd {@code Type=notify} support without libsystemd: the sd_notify(3) protocol is one datagram per message to
 * the Unix socket named by {@code NOTIFY_SOCKET}. Without that variable (not started by systemd, or another
 * {@code Type=}) every method does nothing.
 *
 * <p>{@code NOTIFY_SOCKET=@name} is Linux's abstract namespace: the address is a NUL byte followed by the name. Netty
 * passes the path bytes and their exact length to {@code sendto(2)}, so a leading NUL reaches the kernel as is.
 *
 * <p>Sending never fails the daemon: systemd is a supervisor, not a dependency; the first failure is logged at
 * WARN (systemd will then time the start out or fire the watchdog, which is the right outcome), later ones at DEBUG.
 */
public final class SdNotify implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);

    private final DomainSocketAddress target;
    private final Channel channel;
    private final Optional<Duration> watchdogInterval;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private ScheduledFuture<?> watchdog;

    private SdNotify(DomainSocketAddress target, Channel channel, Optional<Duration> watchdogInterval) {
        this.target = target;
        this.channel = channel;
        this.watchdogInterval = watchdogInterval;
    }

    /** A notifier that does nothing. */
    public static SdNotify disabled() {
        return new SdNotify(null, null, Optional.empty());
    }

    /**
     * Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} from {@code env}; the datagram
     * channel is registered on {@code group} (the daemon's own, so no extra threads).
     */
    public static SdNotify fromEnvironment(Map<String, String> env, EventLoopGroup group) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return disabled();
        }
        DomainSocketAddress target;
        if (socket.startsWith("@")) {
            target = new DomainSocketAddress("\0" + socket.substring(1));
        } else if (socket.startsWith("/")) {
            target = new DomainSocketAddress(socket);
        } else {
            // e.g. vsock:CID:PORT (systemd 254+, for VMs); not something a PostgreSQL host hands its services.
            log.warn("NOTIFY_SOCKET={} is not a Unix socket path; systemd notifications are off", socket);
            return disabled();
        }
        ChannelFuture registered = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                // Unbound and unconnected: each datagram carries its address, like sd_notify's sendmsg.
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .handler(new ChannelInboundHandlerAdapter())
                .register()
                .awaitUninterruptibly();
        if (!registered.isSuccess()) {
            log.warn("cannot open a datagram socket for systemd notifications: {}", registered.cause().toString());
            return disabled();
        }
        return new SdNotify(target, registered.channel(), watchdogInterval(env));
    }

    /** Half of {@code WATCHDOG_USEC} (as sd_watchdog_enabled(3) advises), if the watchdog is meant for us. */
    static Optional<Duration> watchdogInterval(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null) {
            return Optional.empty();
        }
        String pid = env.get("WATCHDOG_PID");
        try {
            if (pid != null && Long.parseLong(pid.strip()) != ProcessHandle.current().pid()) {
                return Optional.empty(); // meant for another process (we were started by a wrapper that did not exec)
            }
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000 / 2)) : Optional.empty();
        } catch (NumberFormatException e) {
            log.warn("ignoring unparsable WATCHDOG_USEC={} / WATCHDOG_PID={}", usec, pid);
            return Optional.empty();
        }
    }

    public boolean enabled() {
        return channel != null;
    }

    public Optional<Duration> watchdogInterval() {
        return enabled() ? watchdogInterval : Optional.empty();
    }

    /** The service is up: systemd ends the start job here, so call it only once the socket accepts connections. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    public void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    /** Waits (briefly) until sent, because the event loop carrying it is about to be shut down. */
    public void stopping(String status) {
        ChannelFuture sent = send("STOPPING=1\nSTATUS=" + oneLine(status));
        if (sent != null) {
            sent.awaitUninterruptibly(SEND_TIMEOUT.toMillis());
        }
    }

    /**
     * Sends {@code WATCHDOG=1} every {@code WATCHDOG_USEC/2}, from {@code loop}: the pings stop when that loop stops
     * running tasks, so systemd restarts a daemon whose event loop is stuck. No-op without a watchdog.
     */
    public synchronized void startWatchdog(EventLoop loop) {
        Optional<Duration> interval = watchdogInterval();
        if (interval.isEmpty() || watchdog != null) {
            return;
        }
        long nanos = interval.get().toNanos();
        watchdog = loop.scheduleAtFixedRate(() -> send("WATCHDOG=1"), 0, nanos, TimeUnit.NANOSECONDS);
        log.info("systemd watchdog: pinging every {} ms", interval.get().toMillis());
    }

    private ChannelFuture send(String message) {
        if (!enabled()) {
            return null;
        }
        ChannelFuture sent = channel.writeAndFlush(new DomainDatagramPacket(
                Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), target));
        sent.addListener(f -> {
            if (!f.isSuccess()) {
                if (failureLogged.compareAndSet(false, true)) {
                    log.warn("systemd notification to {} failed: {}", printable(), f.cause().toString());
                } else {
                    log.debug("systemd notification failed: {}", f.cause().toString());
                }
            }
        });
        return sent;
    }

    private String printable() {
        return target.path().replace('\0', '@');
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }

    @Override
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(SEND_TIMEOUT.toMillis());
        }
    }
}
