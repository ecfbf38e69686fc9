package dev.walstow.daemon.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.spool.SpoolLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonRuntimeTest {
    @TempDir
    Path dataDir;

    @Test
    @DisplayName("start says READY=1; shutdown says STOPPING=1, answers in-flight requests before stopping services, "
            + "and removes the socket")
    void lifecycle() throws Exception {
        Path socket = new SpoolLayout(dataDir).socket();
        String notifyPath = dataDir.resolve("notify").toString();
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        List<String> events = new CopyOnWriteArrayList<>();
        DaemonServer server = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)),
                new StubHandler(r -> pending.whenComplete((reply, e) -> events.add("request answered"))));
        DaemonRuntime runtime = new DaemonRuntime(server, within -> events.add("services stopped within " + within),
                Duration.ofSeconds(10), Map.of("NOTIFY_SOCKET", notifyPath), false);
        try (NotifyListener systemd = new NotifyListener(notifyPath)) {
            runtime.start();
            assertThat(systemd.next(5)).isEqualTo("READY=1\nSTATUS=serving on " + socket);

            try (AgentClient client = AgentClient.connect(socket)) {
                client.send(Frames.encode(new Request(Request.Kind.PUSH, "000000010000000000000001",
                        "pg_wal/000000010000000000000001", "/data")));
                DaemonServerTest.waitFor(() -> server.inFlight() == 1);
                Thread stopper = Thread.ofPlatform().start(runtime::shutdown);
                assertThat(systemd.next(5)).startsWith("STOPPING=1\n");
                DaemonServerTest.waitFor(() -> !Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
                assertThat(events).as("services wait for in-flight requests").isEmpty();
                pending.complete(Reply.ok("durable"));
                assertThat(client.reply()).isEqualTo(Reply.ok("durable"));
                runtime.awaitShutdown();
                stopper.join(10_000);
            }
        } finally {
            runtime.shutdown();
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isEqualTo("request answered");
        assertThat(events.get(1)).startsWith("services stopped within PT");
        assertThat(socket).doesNotExist();
    }
}
