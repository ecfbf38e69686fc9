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
import java.util.function.BooleanSupplier;

/**
 * One request, one reply over the daemon's Unix domain socket, with a bounded wait.
 *
 * <p>Why a watchdog thread: JDK socket channels have no SO_TIMEOUT for Unix sockets, and a Selector costs more
 * class loading at start-up than one sleeping thread. Closing the channel from the watchdog unblocks whatever the
 * caller is stuck in (connect on a full backlog, write, read), so every step is covered by one deadline.
 */
public final class UnixSocketDaemonClient implements DaemonClient {

    /** Time between two looks at the daemon's heartbeat while waiting. */
    static final long LOOK_EVERY_MILLIS = 250;

    @Override
    public DaemonOutcome call(Path socket, Request request, long waitMillis) {
        return call(socket, request, waitMillis, () -> true);
    }

    @Override
    public DaemonOutcome call(Path socket, Request request, long waitMillis, BooleanSupplier responsive) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException | UnsupportedOperationException e) {
            return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_DAEMON, "cannot open a Unix socket: "
                    + Failures.describe(e));
        }
        Watchdog watchdog = new Watchdog(channel, waitMillis, responsive);
        watchdog.start();
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                if (watchdog.fired()) {
                    return watchdog.outcome();
                }
                String why = Files.exists(socket) ? "cannot connect: " + Failures.describe(e) : "no socket file";
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
                return watchdog.outcome();
            }
            return new DaemonOutcome.Unanswered(DaemonOutcome.Why.NO_REPLY, "connection lost: " + Failures.describe(e));
        } finally {
            watchdog.interrupt();
        }
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

    /**
     * Closes the channel when the wait is over, or as soon as the daemon stops showing signs of life; interrupted
     * (and silent) when the reply came in time.
     */
    private static final class Watchdog extends Thread {
        private final SocketChannel channel;
        private final long waitMillis;
        private final BooleanSupplier responsive;
        private volatile DaemonOutcome outcome;

        Watchdog(SocketChannel channel, long waitMillis, BooleanSupplier responsive) {
            super("walstow-agent-watchdog");
            setDaemon(true);
            this.channel = channel;
            this.waitMillis = waitMillis;
            this.responsive = responsive;
        }

        boolean fired() {
            return outcome != null;
        }

        DaemonOutcome outcome() {
            return outcome;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + waitMillis * 1_000_000L;
            try {
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        outcome = new DaemonOutcome.Unanswered(DaemonOutcome.Why.TIMEOUT,
                                "no reply within " + waitMillis + " ms");
                        break;
                    }
                    Thread.sleep(Math.min(left, LOOK_EVERY_MILLIS));
                    if (!responsive.getAsBoolean()) {
                        outcome = new DaemonOutcome.Unanswered(DaemonOutcome.Why.UNRESPONSIVE,
                                "no heartbeat from the daemon while waiting for its reply");
                        break;
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                // closing is the whole point; nothing left to do if it fails
            }
        }
    }
}
