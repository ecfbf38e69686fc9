package dev.walstow.daemon.server;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Message;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A JDK-only client speaking the agent protocol, as the real agent does. */
final class AgentClient implements AutoCloseable {
    private final SocketChannel channel;

    private AgentClient(SocketChannel channel) {
        this.channel = channel;
    }

    static AgentClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new AgentClient(ch);
    }

    static Reply call(Path socket, Request request) throws IOException {
        try (AgentClient c = connect(socket)) {
            c.send(Frames.encode(request));
            return c.reply();
        }
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    Reply reply() throws IOException {
        Message m = Frames.read(input());
        if (m instanceof Reply r) {
            return r;
        }
        throw new IOException("expected a reply, got " + m);
    }

    /** True when the server closed the connection (EOF) after whatever was read. */
    boolean closedByServer() throws IOException {
        try {
            return input().read() == -1;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    private InputStream input() {
        return Channels.newInputStream(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
