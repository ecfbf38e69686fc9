package dev.walstow.daemon.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdNotifyTest {
    @TempDir
    Path dir;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterEach
    void shutdown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    @DisplayName("READY=1 with a status and periodic WATCHDOG=1 reach the NOTIFY_SOCKET path")
    void readyAndWatchdog() throws Exception {
        String path = dir.resolve("notify").toString();
        try (NotifyListener systemd = new NotifyListener(path);
                SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "200000",
                        "WATCHDOG_PID", Long.toString(ProcessHandle.current().pid())), group)) {
            assertThat(notify.enabled()).isTrue();
            assertThat(notify.watchdogInterval()).contains(Duration.ofMillis(100));
            notify.ready("serving on /x");
            assertThat(systemd.next(5)).isEqualTo("READY=1\nSTATUS=serving on /x");
            notify.startWatchdog(group.next());
            assertThat(systemd.next(5)).isEqualTo("WATCHDOG=1");
            assertThat(systemd.next(5)).as("repeated").isEqualTo("WATCHDOG=1");
            notify.stopping("bye");
            // Watchdog pings may still be in the socket ahead of it; the datagram arrives asynchronously.
            String message;
            do {
                message = systemd.next(5);
            } while ("WATCHDOG=1".equals(message));
            assertThat(message).isEqualTo("STOPPING=1\nSTATUS=bye");
        }
    }

    @Test
    @DisplayName("an abstract-namespace NOTIFY_SOCKET (@name) is reached")
    void abstractNamespace() throws Exception {
        String name = "walstow-test-" + UUID.randomUUID();
        try (NotifyListener systemd = new NotifyListener("\0" + name);
                SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), group)) {
            notify.ready("up");
            assertThat(systemd.next(5)).isEqualTo("READY=1\nSTATUS=up");
        }
    }

    @Test
    @DisplayName("without NOTIFY_SOCKET nothing is sent and nothing fails")
    void disabledWithoutSocket() {
        try (SdNotify notify = SdNotify.fromEnvironment(Map.of("WATCHDOG_USEC", "100000"), group)) {
            assertThat(notify.enabled()).isFalse();
            assertThat(notify.watchdogInterval()).isEmpty();
            notify.ready("up");
            notify.startWatchdog(group.next());
            notify.stopping("down");
        }
    }

    @Test
    @DisplayName("a watchdog meant for another pid, or an unparsable one, is not fed")
    void watchdogForAnotherPid() {
        assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1"))).isEmpty();
        assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "thirty"))).isEmpty();
        assertThat(SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000"))).contains(Duration.ofSeconds(15));
    }

    @Test
    @DisplayName("a NOTIFY_SOCKET that is not a Unix socket path disables notifications instead of failing")
    void unsupportedAddress() {
        try (SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:1234"), group)) {
            assertThat(notify.enabled()).isFalse();
        }
    }
}
