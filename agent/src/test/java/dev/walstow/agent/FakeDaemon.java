package dev.walstow.agent;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Message;
import dev.walstow.agent.protocol.Request;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** A real JDK Unix-socket server that reads one request and then does what the test scripted. */
final class FakeDaemon implements AutoCloseable {
    /** What to send back: null bytes = close without a reply; {@link #NEVER} = hold the connection open. */
    static final byte[] NEVER = new byte[0];

    final CompletableFuture<Request> received = new CompletableFuture<>();
    private final ServerSocketChannel server;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread thread;

    private FakeDaemon(Path socket, byte[] answer) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofPlatform().daemon().start(() -> serve(answer));
    }

    static FakeDaemon replying(Path socket, Message reply) throws IOException {
        return new FakeDaemon(socket, Frames.encode(reply));
    }

    static FakeDaemon sending(Path socket, byte[] bytes) throws IOException {
        return new FakeDaemon(socket, bytes);
    }

    private void serve(byte[] answer) {
        try (SocketChannel c = server.accept()) {
            Message m = Frames.read(Channels.newInputStream(c));
            received.complete((Request) m);
            if (answer == NEVER) {
                released.await();
            } else if (answer != null) {
                c.write(ByteBuffer.wrap(answer));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            received.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws Exception {
        released.countDown();
        server.close();
        thread.join(5_000);
    }
}
