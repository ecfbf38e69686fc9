package dev.walstow.agent;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Message;
import dev.walstow.agent.protocol.ProtocolException;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One request, one reply over the daemon's Unix domain socket, with a bounded wait.
 *
 * <p>Why a watchdog thread: JDK socket channels have no SO_TIMEOUT for Unix sockets, and a Selector costs more
 * class loading at start-up than one sleeping thread. Closing the channel from the watchdog unblocks whatever the
 * caller is stuck in (connect on a full backlog, write, read), so every step is covered by one deadline.
 */
public final class UnixSocketDaemonClient implements DaemonClient {

    @Override
    public DaemonOutcome call(Path socket, Request request, long waitMillis) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException | UnsupportedOperationException e) {
            return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_DAEMON, "cannot open a Unix socket: " + e);
        }
        Watchdog watchdog = new Watchdog(channel, waitMillis);
        watchdog.start();
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                if (watchdog.fired()) {
                    return timeout(waitMillis);
                }
                String why = Files.exists(socket) ? "cannot connect: " + message(e) : "no socket file";
                return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_DAEMON, why);
            }
            ByteBuffer out = ByteBuffer.wrap(Frames.encode(request));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            byte[] header = new byte[Frames.HEADER_LENGTH];
            int got = readFully(channel, header);
            if (got == 0) {
                return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_REPLY,
                        "the daemon closed the connection without a reply");
            }
            if (got < header.length) {
                throw new ProtocolException("connection closed in the middle of a frame");
            }
            Frames.Header h = Frames.parseHeader(header);
            byte[] payload = new byte[h.length()];
            if (readFully(channel, payload) < payload.length) {
                throw new ProtocolException("connection closed in the middle of a frame");
            }
            Message m = Frames.decodeBody(h, payload);
            if (!(m instanceof Reply reply)) {
                throw new ProtocolException("expected a reply, got a request frame");
            }
            return new DaemonOutcome.Answered(reply);
        } catch (ProtocolException e) {
            return new DaemonOutcome.Unanswered(DaemonOutcome.Why.PROTOCOL, "not a walstow reply: " + e.getMessage());
        } catch (IOException e) {
            if (watchdog.fired()) {
                return timeout(waitMillis);
            }
            return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_REPLY, "connection lost: " + message(e));
        } finally {
            watchdog.interrupt();
        }
    }

    private static DaemonOutcome timeout(long waitMillis) {
        return new DaemonOutcome.Unanswered(DaemonOutcome.Why.TIMEOUT, "no reply within " + waitMillis + " ms");
    }

    /** @return bytes read before the buffer was full or the peer closed */
    private static int readFully(SocketChannel channel, byte[] into) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(into);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                break;
            }
        }
        return buf.position();
    }

    private static String message(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Closes the channel when the wait is over; interrupted (and silent) when the reply came in time. */
    private static final class Watchdog extends Thread {
        private final SocketChannel channel;
        private final long waitMillis;
        private volatile boolean fired;

        Watchdog(SocketChannel channel, long waitMillis) {
            super("walstow-agent-watchdog");
            setDaemon(true);
            this.channel = channel;
            this.waitMillis = waitMillis;
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(waitMillis);
            } catch (InterruptedException e) {
                return;
            }
            fired = true;
            try {
                channel.close();
            } catch (IOException e) {
                // closing is the whole point; nothing left to do if it fails
            }
        }
    }
}
