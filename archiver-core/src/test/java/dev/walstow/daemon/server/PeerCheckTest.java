package dev.walstow.daemon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.spool.SpoolLayout;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SO_PEERCRED check, with a real client process running as another user. */
class PeerCheckTest {
    private static final Path JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final int NOBODY = 65534;

    /**
     * JDK-only, so that it runs as nobody without access to the build: sends args[1] (base64), prints the one reply
     * frame. Reads exactly one frame, as the agent does: a refused peer's unread request makes the kernel report
     * ECONNRESET after the reply, which a read-to-EOF client would see as an error.
     */
    private static final String CLIENT = """
            import java.net.*;
            import java.nio.ByteBuffer;
            import java.nio.channels.*;
            import java.util.Base64;

            public class Client {
                public static void main(String[] args) throws Exception {
                    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.connect(UnixDomainSocketAddress.of(args[0]));
                        ch.write(ByteBuffer.wrap(Base64.getDecoder().decode(args[1])));
                        var in = new java.io.DataInputStream(Channels.newInputStream(ch));
                        byte[] header = new byte[10];
                        in.readFully(header);
                        byte[] frame = java.util.Arrays.copyOf(header, 10 + ByteBuffer.wrap(header, 6, 4).getInt());
                        in.readFully(frame, 10, frame.length - 10);
                        System.out.println(Base64.getEncoder().encodeToString(frame));
                    }
                }
            }
            """;

    @TempDir
    Path dataDir;
    @TempDir
    Path clientDir;

    @Test
    @DisplayName("a peer running as another uid gets a USAGE refusal and the server logs its uid and pid")
    void otherUidRefused() throws Exception {
        assumeTrue(PeerPolicy.processUid() == 0, "needs root to run a client as nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "needs runuser");
        Path socket = new SpoolLayout(dataDir).socket();
        StubHandler handler = StubHandler.echo();
        try (DaemonServer server = new DaemonServer(
                new ServerSettings(socket, PeerPolicy.forThisProcess(List.of()), Duration.ofSeconds(10)), handler);
                LogCapture log = new LogCapture()) {
            server.start();
            // Open the file-system path for nobody, so that only the peer check can refuse it.
            for (Path p = socket.getParent(); p.startsWith(dataDir); p = p.getParent()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

            ProcessResult result = runAsNobody(socket, Frames.encode(Request.ping()));

            assertThat(result.exit()).as(result.stderr()).isZero();
            Reply reply = (Reply) Frames.read(new ByteArrayInputStream(
                    Base64.getDecoder().decode(result.stdout().strip())));
            assertThat(reply.status()).isEqualTo(Reply.Status.ERROR);
            assertThat(reply.error()).contains(ErrorCode.USAGE);
            assertThat(reply.reason()).startsWith("connection refused: uid " + NOBODY + " is not allowed");
            assertThat(handler.received).as("a refused peer never reaches the handler").isEmpty();
            assertThat(log.text()).containsPattern(
                    "WARN connection refused: uid " + NOBODY + " \\(pid \\d+\\) is not allowed");
        }
    }

    @Test
    @DisplayName("a uid listed in allowed-uids is served")
    void allowedUidServed() throws Exception {
        assumeTrue(PeerPolicy.processUid() == 0, "needs root to run a client as nobody");
        Path socket = new SpoolLayout(dataDir).socket();
        try (DaemonServer server = new DaemonServer(new ServerSettings(socket,
                PeerPolicy.forThisProcess(List.of(NOBODY)), Duration.ofSeconds(10)), StubHandler.echo())) {
            server.start();
            for (Path p = socket.getParent(); p.startsWith(dataDir); p = p.getParent()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

            ProcessResult result = runAsNobody(socket, Frames.encode(Request.ping()));

            assertThat(result.exit()).as(result.stderr()).isZero();
            assertThat(Frames.read(new ByteArrayInputStream(Base64.getDecoder().decode(result.stdout().strip()))))
                    .isEqualTo(Reply.ok("pong"));
        }
    }

    private record ProcessResult(int exit, String stdout, String stderr) {}

    private ProcessResult runAsNobody(Path socket, byte[] request) throws Exception {
        Files.setPosixFilePermissions(clientDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = clientDir.resolve("Client.java");
        Files.writeString(source, CLIENT);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", JAVA.toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", source.toString(), socket.toString(),
                Base64.getEncoder().encodeToString(request))
                .directory(clientDir.toFile())
                .start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done).as("client finished").isTrue();
        return new ProcessResult(p.exitValue(), new String(out.readAllBytes(), StandardCharsets.UTF_8),
                new String(err.readAllBytes(), StandardCharsets.UTF_8));
    }
}
