package dev.walstow.daemon;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.archive.PgWalDirectory;
import dev.walstow.error.UserError;
import dev.walstow.error.WalstowException;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that a request concerns this daemon's cluster and dispatches it. Requests for another data directory or
 * a %p outside its pg_wal are {@link Reply#unsupported}: the agent then does them in-process, with the same checks
 * it always applies, so the daemon never becomes a way to read or write files elsewhere.
 *
 * <p>All work runs on virtual threads, never on the caller's (the socket server's event loop).
 */
final class DaemonRequestHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonRequestHandler.class);
    /** Beyond wait-timeout, for the reply itself; only a bug in walstow ever reaches it. */
    static final Duration MARGIN = Duration.ofSeconds(2);

    private final Path realDataDirectory;
    private final PushService push;
    private final FetchService fetch;
    private final Duration waitTimeout;
    private final Executor executor;
    private final BooleanSupplier accepting;
    private final Predicate<String> servesConfiguration;

    /** @param servesConfiguration whether a call with this configuration fingerprint is ours to answer */
    DaemonRequestHandler(Path realDataDirectory, PushService push, FetchService fetch, Duration waitTimeout,
            Executor executor, BooleanSupplier accepting, Predicate<String> servesConfiguration) {
        this.servesConfiguration = servesConfiguration;
        this.realDataDirectory = realDataDirectory;
        this.push = push;
        this.fetch = fetch;
        this.waitTimeout = waitTimeout;
        this.executor = executor;
        this.accepting = accepting;
    }

    @Override
    public CompletableFuture<Reply> handle(Request request) {
        CompletableFuture<Reply> reply;
        try {
            reply = CompletableFuture.supplyAsync(() -> dispatch(request), executor).thenCompose(f -> f);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((r, failure) -> failure == null && r != null ? r : internal(request, failure))
                .completeOnTimeout(Reply.error(ErrorCode.INTERNAL, ErrorCode.INTERNAL.line("no answer within "
                        + waitTimeout.plus(MARGIN).toSeconds() + " s for " + request.kind() + " "
                        + request.walFileName(), null)), waitTimeout.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Reply> dispatch(Request request) {
        if (request.kind() == Request.Kind.PING) {
            return done(Reply.ok("walstow daemon for " + realDataDirectory));
        }
        if (!accepting.getAsBoolean()) {
            return done(Reply.unsupported("the walstow daemon is shutting down"));
        }
        if (!servesConfiguration.test(request.configFingerprint())) {
            // Another configuration file, or ours since it changed: it may name another repository, and what this
            // daemon knows (pushed, prefetched) is about the one it started with.
            return done(Reply.unsupported("the walstow daemon serves another configuration (or this one before it "
                    + "changed)"));
        }
        Path workingDirectory = Path.of(request.workingDirectory());
        if (!workingDirectory.isAbsolute() || !sameFile(workingDirectory, realDataDirectory)) {
            return done(Reply.unsupported("working directory " + request.workingDirectory() + " is not "
                    + realDataDirectory + ", the data directory this daemon serves"));
        }
        WalFileName name;
        try {
            name = WalFileName.parse(request.walFileName());
        } catch (WalstowException e) {
            return done(Reply.error(e.code(), e.oneLine()));
        }
        Path path;
        try {
            path = PgWalDirectory.locate(Optional.empty(), workingDirectory)
                    .check(workingDirectory.resolve(request.path()), false);
        } catch (UserError e) {
            return done(Reply.unsupported(e.oneLine()));
        } catch (WalstowException e) {
            return done(Reply.error(e.code(), e.oneLine()));
        }
        return switch (request.kind()) {
            case PUSH -> path.getFileName().toString().equals(name.fileName())
                    ? push.push(name, path)
                    : done(Reply.unsupported("%p " + request.path() + " does not name " + name.fileName()));
            case GET -> fetch.get(name, path);
            case PING -> throw new IllegalStateException("handled above");
        };
    }

    private Reply internal(Request request, Throwable failure) {
        // The log keeps the class and the stack trace for the report; the agent's line says it in words.
        LOG.error("{} {}: unexpected failure: {}", request.kind(), request.walFileName(),
                failure == null ? "no reply" : failure.toString(), failure);
        return Reply.error(ErrorCode.INTERNAL, ErrorCode.INTERNAL.line(request.kind() + " " + request.walFileName()
                + ": " + (failure == null ? "no reply" : Failures.describe(failure)),
                "this is a bug in walstow; please report it with the daemon's log"));
    }

    private static boolean sameFile(Path given, Path realDataDirectory) {
        try {
            return given.toRealPath().equals(realDataDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
