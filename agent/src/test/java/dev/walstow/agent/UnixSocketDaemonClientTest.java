package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Frames;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketDaemonClientTest {
    private static final Request REQ = new Request(Request.Kind.GET, "000000010000000000000001", "pg_wal/RECOVERYXLOG",
            "/data");

    @TempDir
    Path dir;

    @Test
    @DisplayName("a daemon that never answers is cut off after the wait, reported as TIMEOUT")
    void timeout() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (FakeDaemon d = FakeDaemon.sending(socket, FakeDaemon.NEVER)) {
            long start = System.nanoTime();
            DaemonOutcome outcome = new UnixSocketDaemonClient().call(socket, REQ, 300);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(outcome).isInstanceOf(DaemonOutcome.Unanswered.class);
            assertThat(((DaemonOutcome.Unanswered) outcome).why()).isEqualTo(DaemonOutcome.Why.TIMEOUT);
            assertThat(tookMillis).isBetween(250L, 5_000L);
        }
    }

    @Test
    @DisplayName("a daemon whose heartbeat stops while we wait is given up at the next look, long before the wait")
    void unresponsive() throws Exception {
        Path socket = dir.resolve("d.sock");
        AtomicInteger looks = new AtomicInteger();
        try (FakeDaemon d = FakeDaemon.sending(socket, FakeDaemon.NEVER)) {
            long start = System.nanoTime();
            DaemonOutcome outcome = new UnixSocketDaemonClient().call(socket, REQ, 60_000,
                    () -> looks.incrementAndGet() < 3);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(((DaemonOutcome.Unanswered) outcome).why()).isEqualTo(DaemonOutcome.Why.UNRESPONSIVE);
            assertThat(looks).hasValue(3);
            assertThat(tookMillis).isBetween(2 * UnixSocketDaemonClient.LOOK_EVERY_MILLIS, 10_000L);
        }
    }

    @Test
    @DisplayName("a reply cut off in the middle of its frame is a protocol failure, not an answer")
    void truncated() throws Exception {
        Path socket = dir.resolve("d.sock");
        byte[] full = Frames.encode(Reply.ok("done"));
        try (FakeDaemon d = FakeDaemon.sending(socket, Arrays.copyOf(full, full.length - 2))) {
            DaemonOutcome outcome = new UnixSocketDaemonClient().call(socket, REQ, 5_000);
            assertThat(outcome).isEqualTo(new DaemonOutcome.Unanswered(DaemonOutcome.Why.PROTOCOL,
                    "not a walstow reply: connection closed in the middle of a frame"));
        }
    }

    @Test
    @DisplayName("a request frame sent back instead of a reply is a protocol failure")
    void requestInsteadOfReply() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (FakeDaemon d = FakeDaemon.sending(socket, Frames.encode(Request.ping()))) {
            DaemonOutcome outcome = new UnixSocketDaemonClient().call(socket, REQ, 5_000);
            assertThat(((DaemonOutcome.Unanswered) outcome).why()).isEqualTo(DaemonOutcome.Why.PROTOCOL);
        }
    }

    @Test
    @DisplayName("a well-formed reply is returned as it was sent")
    void answered() throws Exception {
        Path socket = dir.resolve("d.sock");
        Reply reply = Reply.error(ErrorCode.INTEGRITY, "checksum mismatch");
        try (FakeDaemon d = FakeDaemon.replying(socket, reply)) {
            assertThat(new UnixSocketDaemonClient().call(socket, REQ, 5_000))
                    .isEqualTo(new DaemonOutcome.Answered(reply));
        }
    }
}
