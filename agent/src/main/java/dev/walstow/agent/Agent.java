package dev.walstow.agent;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.agent.spool.Serving;
import dev.walstow.agent.spool.SpoolContract;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One archive-push / archive-get call: ask the daemon, and when it cannot answer, decide between the in-process CLI
 * and failing, as {@code agent.properties} says. Every path ends in an exit status from docs/exit-codes.md.
 */
public final class Agent {
    /** Relative to the data directory (the working directory); keep in sync with SpoolLayout and bin/walstow. */
    public static final String SPOOL = SpoolContract.ROOT;
    static final String SOCKET_FOR_HUMANS = SPOOL + "/" + SpoolContract.SOCKET;

    private final Path spool;
    private final String workingDirectory;
    private final DaemonClient client;
    private final InProcessRunner inProcess;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final Clock clock;
    private boolean ranInProcess;

    /**
     * @param spool the daemon's state directory; relative in production (see {@link AgentMain} for why)
     * @param workingDirectory absolute working directory sent to the daemon, which resolves a relative %p with it
     */
    public Agent(Path spool, String workingDirectory, DaemonClient client, InProcessRunner inProcess,
            PrintStream err) {
        this(spool, workingDirectory, client, inProcess, err, System.getenv(), Clock.systemUTC());
    }

    /** @param environment where {@code $WALSTOW_CONFIG} is looked up, as the in-process CLI would */
    public Agent(Path spool, String workingDirectory, DaemonClient client, InProcessRunner inProcess,
            PrintStream err, Map<String, String> environment, Clock clock) {
        this.environment = environment;
        this.clock = clock;
        this.spool = spool;
        this.workingDirectory = workingDirectory;
        this.client = client;
        this.inProcess = inProcess;
        this.err = err;
    }

    public int run(String... args) {
        AgentArguments call = AgentArguments.parse(args);
        if (call == null) {
            // Not one of the two hot commands, or not well-formed: the CLI owns every other message.
            return runInProcess(args);
        }
        AgentSettings settings = AgentSettings.read(spool.resolve(SpoolContract.AGENT_PROPERTIES));
        String fingerprint = ConfigFile.fingerprint(ConfigFile.locate(call.config(), environment)).orElse("");
        Optional<Serving.Observed> serving = Serving.read(spool);
        String why;
        Instant now = clock.instant();
        if (serving.isPresent() && !serving.get().serving().configFingerprint().equals(fingerprint)) {
            // The daemon loaded another configuration file, or this one before it changed: what it knows may be
            // about a repository this call must not use.
            why = "it serves " + serving.get().serving().configPath() + " as it was when it started, not the "
                    + "configuration of this call";
        } else if (serving.isPresent() && !serving.get().live(now)) {
            // Hung (SIGSTOP, a stuck JVM) or killed: asking it would hold PostgreSQL's serial archiver for the whole
            // reply wait. Its heartbeat says so at once.
            why = "it shows no sign of life (pid " + serving.get().serving().pid() + ", last heartbeat "
                    + Duration.between(serving.get().heartbeat(), now).toSeconds() + " s ago)";
            line(call, "the walstow daemon on " + SOCKET_FOR_HUMANS + " " + why + "; not waiting for it HINT: "
                    + "check it: journalctl -u walstow, systemctl restart walstow");
        } else {
            Request request = new Request(call.kind(), call.walFileName(), call.path(), workingDirectory,
                    fingerprint);
            // A push may be given up when the heartbeat stops: redoing it in-process is harmless (create-only,
            // identical content is a success). A get may not (see TIMEOUT below), so it waits its whole bound.
            // No serving file at all is not a stop: a daemon that is shutting down still answers what it took.
            BooleanSupplier responsive = call.kind() == Request.Kind.PUSH
                    ? () -> Serving.heartbeat(spool).map(h -> Serving.fresh(h, clock.instant())).orElse(true)
                    : () -> true;
            DaemonOutcome outcome = client.call(spool.resolve(SpoolContract.SOCKET), request, settings.replyWaitMillis(),
                    responsive);
            if (outcome instanceof DaemonOutcome.Answered answered) {
                Reply reply = answered.reply();
                if (reply.status() != Reply.Status.UNSUPPORTED) {
                    if (!reply.reason().isEmpty()) {
                        line(call, reply.reason());
                    }
                    return reply.exitCode(call.kind());
                }
                why = "it does not handle this request: " + reply.reason();
            } else {
                DaemonOutcome.Unanswered unanswered = (DaemonOutcome.Unanswered) outcome;
                why = unanswered.detail();
                if (unanswered.why() == DaemonOutcome.Why.TIMEOUT && call.kind() == Request.Kind.GET) {
                    // The daemon may still be restoring into %p. Restoring in-process as well would race with it,
                    // and a late rename from the daemon could land on the %p of PostgreSQL's *next*
                    // restore_command call (it reuses pg_wal/RECOVERYXLOG). Stopping recovery (exit > 125) is the
                    // safe answer.
                    line(call, ErrorCode.STORAGE.line("the walstow daemon on " + SOCKET_FOR_HUMANS + " gave " + why
                            + "; not restoring in-process while it may still be writing " + call.path(),
                            "check the daemon's log (journalctl -u walstow), then restart PostgreSQL"));
                    return ErrorCode.STORAGE.getExit();
                }
                if (unanswered.why() == DaemonOutcome.Why.UNRESPONSIVE) {
                    line(call, "the walstow daemon on " + SOCKET_FOR_HUMANS + " stopped showing signs of life while "
                            + "archiving " + call.walFileName() + "; not waiting for it HINT: check it: journalctl -u "
                            + "walstow, systemctl restart walstow");
                }
                // A PUSH that timed out falls back like any other unanswered push: pushes are idempotent (an
                // identical object already archived, even by the daemon finishing late, is a success), so running
                // the same push in-process cannot do harm.
            }
        }
        if (settings.fallback() == AgentSettings.Fallback.FAIL) {
            line(call, ErrorCode.STORAGE.line("no walstow daemon answered on " + SOCKET_FOR_HUMANS + " (" + why
                    + ") and [daemon] fallback = \"fail\"", "start it: systemctl start walstow"));
            return call.kind() == Request.Kind.GET ? ErrorCode.STORAGE.getExit() : ErrorCode.STORAGE.pushExit();
        }
        return runInProcess(args);
    }

    /** Whether the last {@link #run} handed over to the full CLI (which may need an orderly JVM exit). */
    public boolean ranInProcess() {
        return ranInProcess;
    }

    private int runInProcess(String... args) {
        ranInProcess = true;
        return inProcess.run(args);
    }

    /** One line in the PostgreSQL log: the daemon's reason could contain line breaks, the log must not. */
    private void line(AgentArguments call, String text) {
        err.println("walstow " + call.command() + ": " + text.replace('\n', ' ').replace('\r', ' '));
        err.flush();
    }
}
