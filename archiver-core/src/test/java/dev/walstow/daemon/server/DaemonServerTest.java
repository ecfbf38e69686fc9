package dev.walstow.daemon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.RequestHandler;
import dev.walstow.daemon.spool.SpoolLayout;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Request PUSH =
            new Request(Request.Kind.PUSH, "000000010000000000000001", "pg_wal/000000010000000000000001", "/data");

    @TempDir
    Path dataDir;
    private Path socket;
    private final List<DaemonServer> servers = new ArrayList<>();

    @BeforeEach
    void layout() {
        socket = new SpoolLayout(dataDir).socket();
    }

    @AfterEach
    void stopServers() {
        servers.forEach(DaemonServer::close);
    }

    private DaemonServer start(RequestHandler handler, Duration requestTimeout) {
        DaemonServer server = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), requestTimeout), handler);
        servers.add(server);
        server.start();
        return server;
    }

    private DaemonServer start(RequestHandler handler) {
        return start(handler, Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("a request reaches the handler and the client gets its reply, then the server closes the connection")
    void requestAndReply() throws Exception {
        StubHandler handler = StubHandler.echo();
        start(handler);
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                client.send(Frames.encode(PUSH));
                assertThat(client.reply()).isEqualTo(
                        Reply.ok("PUSH 000000010000000000000001 pg_wal/000000010000000000000001 /data"));
                assertThat(client.closedByServer()).isTrue();
            }
        });
        assertThat(handler.received).containsExactly(PUSH);
    }

    @Test
    @DisplayName("the socket lives in a 0700 directory, is 0600 itself, and is removed on stop")
    void socketPermissionsAndRemoval() throws Exception {
        DaemonServer server = start(StubHandler.echo());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        server.stop(Duration.ofSeconds(1));
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> AgentClient.connect(socket)).isInstanceOf(IOException.class);
    }

    @Test
    @DisplayName("a frame with bad magic gets a USAGE error reply, and the next client is served normally")
    void malformedThenGood() throws Exception {
        start(StubHandler.echo());
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                client.send("GET / HTTP/1.1\r\n\r\n".getBytes());
                Reply reply = client.reply();
                assertThat(reply.status()).isEqualTo(Reply.Status.ERROR);
                assertThat(reply.error()).contains(ErrorCode.USAGE);
                assertThat(reply.reason()).startsWith("malformed request: ").contains("bad magic");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong"));
        });
    }

    @Test
    @DisplayName("an oversized length is refused from the header alone, without waiting for the payload")
    void oversizedHeader() {
        start(StubHandler.echo());
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_LENGTH)
                        .put("WSTW".getBytes()).put((byte) Frames.VERSION).put((byte) 1).putInt(1 << 30);
                client.send(header.array());
                Reply reply = client.reply();
                assertThat(reply.error()).contains(ErrorCode.USAGE);
                assertThat(reply.reason()).contains("payload length " + (1 << 30));
            }
        });
    }

    @Test
    @DisplayName("a reply frame sent as a request is malformed, not dispatched")
    void replyAsRequest() {
        StubHandler handler = StubHandler.echo();
        start(handler);
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Reply reply;
            try (AgentClient client = AgentClient.connect(socket)) {
                client.send(Frames.encode(Reply.ok("hi")));
                reply = client.reply();
            }
            assertThat(reply.reason()).startsWith("malformed request: expected a request");
        });
        assertThat(handler.received).isEmpty();
    }

    @Test
    @DisplayName("a client that connects and sends nothing is dropped after the request timeout")
    void silentClientDropped() {
        start(StubHandler.echo(), Duration.ofMillis(300));
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                long start = System.nanoTime();
                Reply reply = client.reply();
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(reply.error()).contains(ErrorCode.USAGE);
                assertThat(reply.reason()).contains("no complete request within 300 ms");
                assertThat(client.closedByServer()).isTrue();
                assertThat(elapsedMs).isGreaterThanOrEqualTo(250);
            }
        });
    }

    @Test
    @DisplayName("a client sending half a frame and then stalling is dropped after the timeout too")
    void tricklingClientDropped() {
        start(StubHandler.echo(), Duration.ofMillis(300));
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                byte[] frame = Frames.encode(PUSH);
                client.send(java.util.Arrays.copyOf(frame, frame.length - 3));
                assertThat(client.reply().reason()).contains("no complete request");
            }
        });
    }

    @Test
    @DisplayName("a client that half-closes after its request still gets the reply")
    void halfClose() {
        start(StubHandler.echo());
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                client.send(Frames.encode(Request.ping()));
                client.shutdownOutput();
                assertThat(client.reply()).isEqualTo(Reply.ok("pong"));
            }
        });
    }

    @Test
    @DisplayName("PING is answered while the handler is blocked inside another request")
    void pingWhileBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        start(new StubHandler(r -> {
            entered.countDown();
            try {
                release.await(); // blocks inside handle(): the worst a handler can do to the server
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.completedFuture(Reply.ok("pushed"));
        }));
        try (AgentClient busy = AgentClient.connect(socket)) {
            busy.send(Frames.encode(PUSH));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertTimeoutPreemptively(TIMEOUT, () ->
                    assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong")));
            release.countDown();
            assertTimeoutPreemptively(TIMEOUT, () -> assertThat(busy.reply()).isEqualTo(Reply.ok("pushed")));
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("a handler whose future fails yields an INTERNAL error reply, never a success")
    void handlerFailure() {
        start(new StubHandler(r -> CompletableFuture.failedFuture(new IllegalStateException("boom"))));
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Reply reply = AgentClient.call(socket, PUSH);
            assertThat(reply.error()).contains(ErrorCode.INTERNAL);
            assertThat(reply.reason()).contains("boom");
        });
    }

    @Test
    @DisplayName("a handler reason too long for a frame is truncated, and the reply still arrives")
    void hugeReason() {
        start(new StubHandler(r -> CompletableFuture.completedFuture(
                Reply.error(ErrorCode.STORAGE, "x".repeat(100_000)))));
        assertTimeoutPreemptively(TIMEOUT, () -> {
            Reply reply = AgentClient.call(socket, PUSH);
            assertThat(reply.error()).contains(ErrorCode.STORAGE);
            assertThat(reply.reason()).endsWith("(truncated)").hasSizeLessThan(Frames.MAX_PAYLOAD);
        });
    }

    @Test
    @DisplayName("a second server on a socket where a daemon answers refuses to start and leaves the first alone")
    void secondServerRefused() {
        start(StubHandler.echo());
        DaemonServer second = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)),
                StubHandler.echo());
        servers.add(second);
        assertThatThrownBy(second::start).isInstanceOf(UserError.class)
                .hasMessageContaining("another walstow daemon is already running for this cluster")
                .hasMessageContaining(socket.toString());
        assertTimeoutPreemptively(TIMEOUT, () ->
                assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong")));
    }

    @Test
    @DisplayName("while a stopping daemon drains (socket already gone), a new one cannot start; after it, one can")
    void lockHeldDuringDrain() {
        DaemonServer first = start(StubHandler.echo());
        first.stopAccepting();
        assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isFalse();
        DaemonServer second = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)),
                StubHandler.echo());
        servers.add(second);
        assertThatThrownBy(second::start).isInstanceOf(UserError.class)
                .hasMessageContaining("another walstow daemon is already running");
        first.close();
        start(StubHandler.echo());
        assertTimeoutPreemptively(TIMEOUT, () ->
                assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong")));
    }

    @Test
    @DisplayName("a stale socket file (no one listening) is replaced at start")
    void staleSocketReplaced() throws Exception {
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket)); // the JDK leaves the file behind on close
        }
        assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThatThrownBy(() -> AgentClient.connect(socket)).isInstanceOf(IOException.class);
        start(StubHandler.echo());
        assertTimeoutPreemptively(TIMEOUT, () ->
                assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong")));
    }

    @Test
    @DisplayName("a regular file where the socket belongs is not deleted; the server refuses to start")
    void regularFileNotDeleted() throws Exception {
        Files.createDirectories(socket.getParent());
        Files.writeString(socket, "precious");
        DaemonServer server = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)),
                StubHandler.echo());
        servers.add(server);
        assertThatThrownBy(server::start).hasMessageContaining("is not a socket");
        assertThat(socket).hasContent("precious");
    }

    @Test
    @DisplayName("stop lets an in-flight request finish and answers it before closing")
    void gracefulStop() throws Exception {
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        DaemonServer server = start(new StubHandler(r -> pending));
        try (AgentClient client = AgentClient.connect(socket)) {
            client.send(Frames.encode(PUSH));
            waitFor(() -> server.inFlight() == 1);
            Thread stopper = Thread.ofPlatform().start(() -> server.stop(Duration.ofSeconds(10)));
            waitFor(() -> !Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            assertThat(stopper.isAlive()).as("stop waits for the in-flight request").isTrue();
            pending.complete(Reply.ok("durable"));
            assertTimeoutPreemptively(TIMEOUT, () -> assertThat(client.reply()).isEqualTo(Reply.ok("durable")));
            stopper.join(TIMEOUT.toMillis());
            assertThat(stopper.isAlive()).isFalse();
        }
    }

    @Test
    @DisplayName("stop gives up on a request that never finishes once the drain bound has passed")
    void boundedStop() {
        DaemonServer server = start(new StubHandler(r -> new CompletableFuture<>()));
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (AgentClient client = AgentClient.connect(socket)) {
                client.send(Frames.encode(PUSH));
                waitFor(() -> server.inFlight() == 1);
                long start = System.nanoTime();
                server.stop(Duration.ofMillis(300));
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 8_000L);
                assertThat(client.closedByServer()).isTrue();
            }
        });
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + TIMEOUT);
            }
            Thread.sleep(10);
        }
    }
}
