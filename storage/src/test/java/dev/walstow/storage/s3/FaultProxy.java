package dev.walstow.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a client and a server (s3proxy) that injects the faults of a real network and a
 * real object store: added latency, connection resets, stalls (bytes swallowed, nothing answered), a window in
 * which every request is answered {@code 503 SlowDown}, an outage (every connection reset at once), one corrupted
 * byte in the next request body, and a store that refuses conditional writes. It can also record the head of every
 * request, to check what went over the wire. Used by the storage tests and the end-to-end tests.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int HEADER_LIMIT = 64 << 10;

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;

    private volatile long latencyMillis;
    private volatile boolean stall;
    private volatile boolean down;
    private volatile long slowDownUntil; // System.nanoTime(); 0 = no window
    private volatile boolean recording;
    private volatile boolean refuseConditional;
    private final Queue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();
    private final AtomicInteger resetNext = new AtomicInteger();
    private final AtomicBoolean corruptNextBody = new AtomicBoolean();
    private final AtomicBoolean corruptNextResponse = new AtomicBoolean();
    private final AtomicInteger slowDownsAnswered = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    public FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Delay added before each chunk is forwarded, both directions. */
    public void latency(Duration d) {
        latencyMillis = d.toMillis();
    }

    /** While on, connections are accepted and read but nothing is forwarded or answered. */
    public void stall(boolean on) {
        stall = on;
        if (on) {
            dropAll();
        }
    }

    /** The next {@code n} requests are answered by a TCP reset. */
    public void resetNext(int n) {
        resetNext.set(n);
        dropAll(); // so that the next requests open new connections and meet the reset
    }

    /** Every request arriving within {@code window} from now gets {@code 503 SlowDown}. */
    public void slowDownFor(Duration window) {
        slowDownUntil = System.nanoTime() + window.toNanos();
        dropAll(); // pooled connections would otherwise bypass the window
    }

    /** Outage: every open connection is reset and new ones are reset at once, until {@code down(false)}. */
    public void down(boolean on) {
        down = on;
        if (on) {
            dropAll();
        }
    }

    /** Flips one byte in the body of the next request that has one. */
    public void corruptNextRequestBody() {
        corruptNextBody.set(true);
        dropAll(); // the next request then starts a new connection, whose first bytes after the head are body
    }

    /**
     * Flips one byte 16 KiB into the next response (past any response head, inside the body of a download of more
     * than 16 KiB).
     */
    public void corruptNextResponseBody() {
        corruptNextResponse.set(true);
        dropAll();
    }

    /**
     * While on, the head of every request is kept for {@link #recorded()}. Each request then gets a connection of
     * its own ({@code Connection: close} is added to its head; that header is never signed): this proxy looks only
     * at the first request of a connection, so requests on a kept-alive one would pass unseen. Turn it on before
     * the client opens connections.
     */
    public void record(boolean on) {
        recording = on;
        dropAll();
    }

    /** The request heads recorded so far, in arrival order. */
    public List<RecordedRequest> recorded() {
        return List.copyOf(recorded);
    }

    public void clearRecorded() {
        recorded.clear();
    }

    /**
     * While on, every request with an {@code If-None-Match} header is answered {@code 501 NotImplemented}, as by a
     * store without conditional writes; the rest is forwarded (one request per connection, as in {@link #record}).
     */
    public void refuseConditionalWrites(boolean on) {
        refuseConditional = on;
        dropAll();
    }

    public int slowDownsAnswered() {
        return slowDownsAnswered.get();
    }

    /** Requests forwarded to the server (not counting the ones answered by a fault). */
    public int requestsForwarded() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            try {
                Socket client = listener.accept();
                open.add(client);
                Thread.ofVirtual().name("fault-proxy-conn").start(() -> handle(client));
            } catch (IOException e) {
                if (!closed.get()) {
                    continue;
                }
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            if (down) {
                reset(client);
                return;
            }
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            if (stall) {
                in.transferTo(OutputStream.nullOutputStream()); // swallow until the client gives up
                return;
            }
            if (down || resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reset(client);
                return;
            }
            if (slowDownUntil != 0 && System.nanoTime() < slowDownUntil) {
                slowDownsAnswered.incrementAndGet();
                answer(client, in, head, "503 Slow Down", "SlowDown", "Please reduce your request rate.");
                return;
            }
            boolean onePerConnection = recording || refuseConditional;
            RecordedRequest request = RecordedRequest.parse(head);
            if (recording) {
                recorded.add(request);
            }
            if (refuseConditional && request.header("if-none-match").isPresent()) {
                answer(client, in, head, "501 Not Implemented", "NotImplemented",
                        "A header you provided implies functionality that is not implemented");
                return;
            }
            forward(client, onePerConnection ? RecordedRequest.withConnectionClose(head) : head);
        } catch (IOException e) {
            // A client or server that went away: nothing to report, the client sees the failure itself.
        } finally {
            open.remove(client);
        }
    }

    private void forward(Socket client, byte[] head) throws IOException {
        try (Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            open.add(server);
            requests.incrementAndGet();
            server.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            OutputStream toServer = server.getOutputStream();
            delay();
            toServer.write(head);
            toServer.flush();
            Thread up = Thread.ofVirtual().start(() -> pump(client, server, true));
            pump(server, client, false);
            try {
                up.join(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    private void pump(Socket from, Socket to, boolean request) {
        byte[] buf = new byte[64 << 10];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            long offset = 0;
            boolean corruptHere = !request && corruptNextResponse.getAndSet(false);
            while ((n = in.read(buf)) >= 0) {
                if (corruptHere && offset <= 16384 && offset + n > 16384) {
                    buf[(int) (16384 - offset)] ^= 0x01;
                    corruptHere = false;
                }
                offset += n;
                if (down) {
                    reset(from);
                    reset(to);
                    return;
                }
                if (stall) {
                    continue; // swallow
                }
                if (request && n > 0 && corruptNextBody.compareAndSet(true, false)) {
                    buf[n / 2] ^= 0x01;
                }
                delay();
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Reads up to the end of the first request's header block; the body (if any) follows in the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                return head.toByteArray();
            }
            if (head.size() > HEADER_LIMIT) {
                throw new IOException("request head too large");
            }
        }
        return null;
    }

    /** Answers the request with an S3 error instead of forwarding it, and closes the connection. */
    private static void answer(Socket client, InputStream in, byte[] head, String status, String code,
            String message) throws IOException {
        String headers = new String(head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        if (!headers.contains("expect: 100-continue")) {
            long length = contentLength(headers);
            in.skipNBytes(Math.max(0, length));
        }
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code>"
                + "<Message>" + message + "</Message></Error>";
        String response = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        client.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
    }

    private static long contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    private void delay() {
        long ms = latencyMillis;
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void dropAll() {
        for (Socket s : open) {
            reset(s);
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close with RST, as a crashed store or a middlebox would
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            listener.close();
            dropAll();
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For messages. */
    @Override
    public String toString() {
        return "FaultProxy[" + new InetSocketAddress(InetAddress.getLoopbackAddress(), port()) + " -> " + targetPort + "]";
    }
}
