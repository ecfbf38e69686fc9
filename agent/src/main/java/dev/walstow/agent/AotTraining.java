package dev.walstow.agent;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.agent.spool.Serving;
import dev.walstow.agent.spool.SpoolContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for the agent's AOT cache (JDK 25 {@code -XX:AOTCacheOutput}, run by packaging/pom.xml): drives
 * the same code as a real call through every path a call takes in production (daemon answers OK / NOT_FOUND / an
 * error; no daemon with fallback=fail), so the classes and call sites those load end up in the cache.
 *
 * <p>It uses a throwaway data directory of its own and never touches the in-process CLI (that JVM would load
 * thousands of classes the agent does not need in its cache).
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        // Load what the real entry point loads, without running it (it would exit the JVM).
        AgentMain.create(null);
        Path data = Files.createTempDirectory("walstow-aot-training-");
        try {
            Path spool = Files.createDirectories(data.resolve(Agent.SPOOL));
            Files.writeString(data.resolve("PG_VERSION"), "15\n");
            Files.writeString(spool.resolve(SpoolContract.AGENT_PROPERTIES),
                    AgentSettings.text(AgentSettings.Fallback.FAIL, 5_000));
            InProcessRunner none = a -> {
                throw new IllegalStateException("the training run must not reach the in-process CLI");
            };
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Agent agent = new Agent(spool, data.toString(), new UnixSocketDaemonClient(), none,
                    new PrintStream(log, true, StandardCharsets.UTF_8));
            String seg = "000000010000000000000001";
            expect(agent.run("archive-push", "pg_wal/" + seg), ErrorCode.STORAGE.pushExit());
            expect(agent.run("archive-get", seg, "pg_wal/RECOVERYXLOG"), ErrorCode.STORAGE.getExit());
            Path socket = spool.resolve(SpoolContract.SOCKET);
            Reply[] replies = {Reply.ok(""), Reply.notFound("not in the archive"),
                    Reply.error(ErrorCode.STORAGE, "[WS-STORAGE] training")};
            // As a live daemon publishes itself (this JVM plays it): the calls below read and check serving.
            Path config = Files.writeString(data.resolve("walstow.toml"), "# training\n");
            Files.writeString(spool.resolve(Serving.FILE), new Serving(ProcessHandle.current().pid(),
                    "0123456789abcdef", ConfigFile.fingerprint(config).orElseThrow(), config.toString()).format());
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                Thread daemon = Thread.ofPlatform().daemon().start(() -> serve(server, replies));
                expect(agent.run("--config", config.toString(), "archive-push", "pg_wal/" + seg), 0);
                expect(agent.run("--config", config.toString(), "archive-get", seg, "pg_wal/RECOVERYXLOG"),
                        ErrorCode.GET_NOT_FOUND);
                expect(agent.run("--config=" + config, "archive-push", "pg_wal/" + seg), ErrorCode.STORAGE.pushExit());
                daemon.join(10_000);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(data)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void serve(ServerSocketChannel server, Reply[] replies) {
        for (Reply reply : replies) {
            try (SocketChannel c = server.accept()) {
                Frames.read(Channels.newInputStream(c));
                c.write(ByteBuffer.wrap(Frames.encode(reply)));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void expect(int actual, int expected) {
        if (actual != expected) {
            throw new IllegalStateException("training call exited " + actual + ", expected " + expected);
        }
    }
}
