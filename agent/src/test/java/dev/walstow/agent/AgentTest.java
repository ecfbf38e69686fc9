package dev.walstow.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.agent.spool.Serving;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real Unix-socket server in this JVM, with the in-process CLI replaced by a recorder. */
class AgentTest {
    private static final String SEG = "000000010000000000000007";
    private static final String[] PUSH = {"--config", "/etc/walstow/w.toml", "archive-push", "pg_wal/" + SEG};
    private static final String[] GET = {"archive-get", SEG, "pg_wal/RECOVERYXLOG"};
    /** What the fake in-process CLI returns: no real walstow status, so a match proves who decided. */
    private static final int IN_PROCESS_EXIT = 42;
    private static final DaemonClient MUST_NOT_BE_CALLED = (s, r, w) -> {
        throw new AssertionError("daemon asked for " + r);
    };

    @TempDir
    Path dataDir;
    Path spool;
    Path socket;
    final List<List<String>> inProcessCalls = new ArrayList<>();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeEach
    void spool() throws IOException {
        spool = Files.createDirectories(dataDir.resolve(Agent.SPOOL));
        socket = spool.resolve("daemon.sock");
    }

    private Agent agent(DaemonClient client) {
        return new Agent(spool, dataDir.toString(), client, args -> {
            inProcessCalls.add(List.of(args));
            return IN_PROCESS_EXIT;
        }, new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    private Agent agent() {
        return agent(new UnixSocketDaemonClient());
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private void properties(String text) throws IOException {
        Files.writeString(spool.resolve("agent.properties"), text);
    }

    @Test
    @DisplayName("an OK reply exits 0 and prints nothing; the daemon got kind, name, %p and the working directory")
    void ok() throws Exception {
        try (FakeDaemon d = FakeDaemon.replying(socket, Reply.ok(""))) {
            assertThat(agent().run(PUSH)).isZero();
            assertThat(d.received.get(5, TimeUnit.SECONDS)).isEqualTo(
                    new Request(Request.Kind.PUSH, SEG, "pg_wal/" + SEG, dataDir.toString()));
        }
        assertThat(err()).isEmpty();
        assertThat(inProcessCalls).isEmpty();
    }

    @Test
    @DisplayName("NOT_FOUND for archive-get exits 1 and logs the daemon's reason as one prefixed line")
    void notFound() throws Exception {
        try (FakeDaemon d = FakeDaemon.replying(socket, Reply.notFound("not in the archive\n(asked posix repo)"))) {
            assertThat(agent().run(GET)).isEqualTo(1);
            assertThat(d.received.get(5, TimeUnit.SECONDS).walFileName()).isEqualTo(SEG);
        }
        assertThat(err()).isEqualTo("walstow archive-get: not in the archive (asked posix repo)" + System.lineSeparator());
    }

    @Test
    @DisplayName("ERROR replies exit with the error's status: 2..125 for push, above 125 for get")
    void errors() throws Exception {
        try (FakeDaemon d = FakeDaemon.replying(socket, Reply.error(ErrorCode.DUPLICATE, "[WS-DUPLICATE] differs"))) {
            assertThat(agent().run(PUSH)).isEqualTo(6);
        }
        Files.delete(socket);
        try (FakeDaemon d = FakeDaemon.replying(socket, Reply.error(ErrorCode.STORAGE, "[WS-STORAGE] unreachable"))) {
            assertThat(agent().run(GET)).isEqualTo(207);
        }
        assertThat(err()).contains("walstow archive-push: [WS-DUPLICATE] differs",
                "walstow archive-get: [WS-STORAGE] unreachable");
        assertThat(inProcessCalls).isEmpty();
    }

    @Test
    @DisplayName("no daemon (no socket file) with the default policy runs the CLI in-process with the original arguments")
    void noDaemonFallsBack() {
        assertThat(agent().run(PUSH)).isEqualTo(IN_PROCESS_EXIT);
        assertThat(inProcessCalls).containsExactly(List.of(PUSH));
        assertThat(err()).isEmpty();
    }

    @Test
    @DisplayName("garbage from the daemon is a protocol failure: falls back in-process")
    void garbage() throws Exception {
        try (FakeDaemon d = FakeDaemon.sending(socket, "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.UTF_8))) {
            assertThat(agent().run(GET)).isEqualTo(IN_PROCESS_EXIT);
        }
        assertThat(inProcessCalls).containsExactly(List.of(GET));
    }

    @Test
    @DisplayName("UNSUPPORTED from the daemon means: do it in-process")
    void unsupported() throws Exception {
        try (FakeDaemon d = FakeDaemon.replying(socket, Reply.unsupported("%p outside pg_wal"))) {
            assertThat(agent().run(PUSH)).isEqualTo(IN_PROCESS_EXIT);
        }
        assertThat(inProcessCalls).containsExactly(List.of(PUSH));
    }

    @Test
    @DisplayName("fallback=fail: a daemon that closes without a reply fails the push with WS-STORAGE (7) and a HINT")
    void failPolicyPush() throws Exception {
        properties("fallback = fail\n");
        try (FakeDaemon d = FakeDaemon.sending(socket, null)) {
            assertThat(agent().run(PUSH)).isEqualTo(ErrorCode.STORAGE.pushExit());
        }
        assertThat(err()).isEqualTo("walstow archive-push: [WS-STORAGE] no walstow daemon answered on "
                + "pg_wal/.walstow/daemon.sock (the daemon closed the connection without a reply) and [daemon] "
                + "fallback = \"fail\" HINT: start it: systemctl start walstow" + System.lineSeparator());
        assertThat(inProcessCalls).isEmpty();
    }

    @Test
    @DisplayName("fallback=fail: no daemon fails archive-get above 125 (207), never with 1")
    void failPolicyGet() throws Exception {
        properties("fallback=fail\n");
        assertThat(agent().run(GET)).isEqualTo(207);
        assertThat(err()).contains("(no socket file)");
        assertThat(inProcessCalls).isEmpty();
    }

    @Test
    @DisplayName("a socket file nobody listens on is 'no daemon': connection refused")
    void refused() throws Exception {
        FakeDaemon.replying(socket, Reply.ok("")).close();
        assertThat(socket).exists();
        properties("fallback=fail");
        assertThat(agent().run(PUSH)).isEqualTo(7);
        assertThat(err()).contains("cannot connect");
    }

    @Test
    @DisplayName("a timed-out archive-get never falls back (the daemon may still write %p): exits 207")
    void getTimeout() {
        DaemonClient timedOut = (s, r, w) -> new DaemonOutcome.Unanswered(DaemonOutcome.Why.TIMEOUT, "no reply");
        assertThat(agent(timedOut).run(GET)).isEqualTo(207);
        assertThat(inProcessCalls).isEmpty();
        assertThat(err()).startsWith("walstow archive-get: [WS-STORAGE]").contains("HINT:");
    }

    @Test
    @DisplayName("a timed-out archive-push falls back in-process (pushes are idempotent), unless fallback=fail")
    void pushTimeout() throws Exception {
        DaemonClient timedOut = (s, r, w) -> new DaemonOutcome.Unanswered(DaemonOutcome.Why.TIMEOUT, "no reply");
        assertThat(agent(timedOut).run(PUSH)).isEqualTo(IN_PROCESS_EXIT);
        properties("fallback=fail");
        assertThat(agent(timedOut).run(PUSH)).isEqualTo(7);
        assertThat(inProcessCalls).hasSize(1);
    }

    @Test
    @DisplayName("the reply wait is the daemon's wait-timeout-ms plus 10 s, 90 s when agent.properties is silent")
    void waitComesFromProperties() throws Exception {
        List<Long> waits = new ArrayList<>();
        DaemonClient recording = (s, r, w) -> {
            waits.add(w);
            return new DaemonOutcome.Answered(Reply.ok(""));
        };
        agent(recording).run(PUSH);
        properties("wait-timeout-ms=2500\n");
        agent(recording).run(PUSH);
        assertThat(waits).containsExactly(90_000L, 12_500L);
    }

    /** A serving file for this JVM's pid, for {@code config}, with the heartbeat at {@code heartbeat}. */
    private void serving(Path config, Instant heartbeat) throws IOException {
        Path file = Files.writeString(spool.resolve(Serving.FILE), new Serving(ProcessHandle.current().pid(),
                "0123456789abcdef", ConfigFile.fingerprint(config).orElseThrow(), config.toString()).format());
        Files.setLastModifiedTime(file, FileTime.from(heartbeat));
    }

    /** A configuration file, and a live daemon (this JVM) serving it. */
    private Path servedConfig() throws IOException {
        Path config = Files.writeString(dataDir.resolve("w.toml"), "[repository]\n");
        serving(config, Instant.now());
        return config;
    }

    /** An agent that sees no $WALSTOW_CONFIG of this machine: the calls name their configuration file. */
    private Agent isolated(DaemonClient client) {
        return new Agent(spool, dataDir.toString(), client, args -> {
            inProcessCalls.add(List.of(args));
            return IN_PROCESS_EXIT;
        }, new PrintStream(stderr, true, StandardCharsets.UTF_8), Map.of(), Clock.systemUTC());
    }

    @Test
    @DisplayName("a live daemon serving the call's configuration file is asked, with that file's fingerprint")
    void servingSameConfiguration() throws Exception {
        Path config = servedConfig();
        List<Request> asked = new ArrayList<>();
        DaemonClient recording = (s, r, w) -> {
            asked.add(r);
            return new DaemonOutcome.Answered(Reply.ok(""));
        };
        assertThat(isolated(recording).run("--config", config.toString(), "archive-push",
                "pg_wal/" + SEG)).isZero();
        assertThat(asked).singleElement().extracting(Request::configFingerprint)
                .isEqualTo(ConfigFile.fingerprint(config).orElseThrow());
    }

    @Test
    @DisplayName("a daemon serving another configuration file, or this one before an edit, is not asked")
    void servingOtherConfiguration() throws Exception {
        Path config = Files.writeString(dataDir.resolve("w.toml"), "[repository]\npath = \"/a\"\n");
        Path other = Files.writeString(dataDir.resolve("other.toml"), "[repository]\n");
        serving(other, Instant.now());
        assertThat(isolated(MUST_NOT_BE_CALLED).run("--config", config.toString(), "archive-push",
                "pg_wal/" + SEG)).isEqualTo(IN_PROCESS_EXIT);
        serving(config, Instant.now());
        // Another size too: on kernels with coarse timestamps an edit within one tick may keep mtime and ctime.
        Files.writeString(config, "[repository]\npath = \"/bb\"\n");
        assertThat(isolated(MUST_NOT_BE_CALLED).run("--config", config.toString(), "archive-get", SEG,
                "pg_wal/RECOVERYXLOG")).isEqualTo(IN_PROCESS_EXIT);
        properties("fallback=fail");
        assertThat(isolated(MUST_NOT_BE_CALLED).run("--config", config.toString(), "archive-push",
                "pg_wal/" + SEG)).isEqualTo(7);
        assertThat(err()).contains("not the configuration of this call");
    }

    @Test
    @DisplayName("a daemon without a heartbeat for 5 s is not asked: the call falls back at once and says why")
    void staleHeartbeat() throws Exception {
        Path config = Files.writeString(dataDir.resolve("w.toml"), "[repository]\n");
        serving(config, Instant.now().minus(Serving.STALE_AFTER).minusSeconds(1));
        assertThat(isolated(MUST_NOT_BE_CALLED).run("--config", config.toString(), "archive-push",
                "pg_wal/" + SEG)).isEqualTo(IN_PROCESS_EXIT);
        assertThat(err()).contains("shows no sign of life").contains("HINT:");
    }

    @Test
    @DisplayName("while a push waits, a heartbeat that goes stale ends the wait; a get keeps waiting")
    void heartbeatStopsDuringWait() throws Exception {
        Path config = servedConfig();
        List<Boolean> responsive = new ArrayList<>();
        // Asked while the heartbeat was fresh; then the daemon hangs: its heartbeat is 10 s old when the client looks.
        DaemonClient hanging = new DaemonClient() {
            @Override
            public DaemonOutcome call(Path s, Request r, long w) {
                throw new AssertionError("the heartbeat-aware call is used");
            }

            @Override
            public DaemonOutcome call(Path s, Request r, long w, java.util.function.BooleanSupplier alive) {
                try {
                    Files.setLastModifiedTime(spool.resolve(Serving.FILE),
                            FileTime.from(Instant.now().minus(Serving.STALE_AFTER.multipliedBy(2))));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                responsive.add(alive.getAsBoolean());
                return alive.getAsBoolean() ? new DaemonOutcome.Answered(Reply.ok(""))
                        : new DaemonOutcome.Unanswered(DaemonOutcome.Why.UNRESPONSIVE, "no heartbeat");
            }
        };
        assertThat(isolated(hanging).run("--config", config.toString(), "archive-push",
                "pg_wal/" + SEG)).isEqualTo(IN_PROCESS_EXIT);
        assertThat(responsive).containsExactly(false);
        assertThat(err()).contains("stopped showing signs of life");
        serving(config, Instant.now());
        assertThat(isolated(hanging).run("--config", config.toString(), "archive-get", SEG,
                "pg_wal/RECOVERYXLOG")).isZero();
        assertThat(responsive).containsExactly(false, true);
    }

    @Test
    @DisplayName("arguments the agent does not own go to the CLI without asking the daemon")
    void delegates() {
        assertThat(agent(MUST_NOT_BE_CALLED).run("archive-push")).isEqualTo(IN_PROCESS_EXIT);
        assertThat(inProcessCalls).containsExactly(List.of("archive-push"));
    }
}
