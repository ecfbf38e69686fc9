package dev.walstow.daemon.server;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.RequestHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Answers PING with OK and everything else as told; remembers what it was asked. */
final class StubHandler implements RequestHandler {
    final List<Request> received = new CopyOnWriteArrayList<>();
    private final Function<Request, CompletableFuture<Reply>> others;

    StubHandler(Function<Request, CompletableFuture<Reply>> others) {
        this.others = others;
    }

    static StubHandler echo() {
        return new StubHandler(r -> CompletableFuture.completedFuture(
                Reply.ok(r.kind() + " " + r.walFileName() + " " + r.path() + " " + r.workingDirectory())));
    }

    @Override
    public CompletableFuture<Reply> handle(Request request) {
        received.add(request);
        if (request.kind() == Request.Kind.PING) {
            return CompletableFuture.completedFuture(Reply.ok("pong"));
        }
        return others.apply(request);
    }
}
