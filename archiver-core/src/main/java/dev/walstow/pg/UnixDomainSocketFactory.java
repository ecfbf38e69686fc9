package dev.walstow.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import javax.net.SocketFactory;

/**
 * Lets the PostgreSQL JDBC driver connect over the server's Unix socket with the JDK alone (pgjdbc only knows TCP).
 * Over the socket, Debian's default {@code local ... peer} authentication lets the daemon, running as the postgres
 * OS user, connect without any password on disk.
 *
 * <p>pgjdbc instantiates this with {@code socketFactoryArg} = the socket file path and then calls
 * {@link Socket#connect(SocketAddress, int)} with a TCP address it made up from the URL, which is ignored.
 */
public final class UnixDomainSocketFactory extends SocketFactory {
    private final String path;

    public UnixDomainSocketFactory(String path) {
        this.path = path;
    }

    @Override
    public Socket createSocket() {
        return new ChannelSocket(UnixDomainSocketAddress.of(path));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(null);
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket(host.getHostName(), port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return createSocket(address, port);
    }

    /** The subset of {@link Socket} pgjdbc uses, over a blocking Unix-domain {@link SocketChannel}. */
    private static final class ChannelSocket extends Socket {
        private final UnixDomainSocketAddress address;
        private SocketChannel channel;
        private InputStream in;
        private OutputStream out;

        ChannelSocket(UnixDomainSocketAddress address) {
            this.address = address;
        }

        @Override
        public void connect(SocketAddress ignored, int timeout) throws IOException {
            channel = SocketChannel.open(address);
            in = Channels.newInputStream(channel);
            out = Channels.newOutputStream(channel);
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public boolean isConnected() {
            return channel != null && channel.isConnected();
        }

        @Override
        public boolean isClosed() {
            return channel != null && !channel.isOpen();
        }

        @Override
        public synchronized void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }

        // TCP options mean nothing on a Unix socket; pgjdbc sets them unconditionally. Read timeouts are enforced
        // on the server side instead (statement_timeout, set by PgConnections).
        @Override
        public void setTcpNoDelay(boolean on) {}

        @Override
        public void setKeepAlive(boolean on) {}

        @Override
        public void setSoTimeout(int timeout) {}

        @Override
        public int getSoTimeout() {
            return 0;
        }

        @Override
        public void setReceiveBufferSize(int size) {}

        @Override
        public void setSendBufferSize(int size) {}

        @Override
        public int getReceiveBufferSize() {
            return 65536;
        }

        @Override
        public int getSendBufferSize() {
            return 65536;
        }
    }
}
