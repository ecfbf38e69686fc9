package dev.walstow.agent;

import dev.walstow.agent.protocol.Request;
import java.nio.file.Path;

/** Asks the daemon once; never throws, never waits longer than {@code waitMillis}. */
@FunctionalInterface
public interface DaemonClient {
    DaemonOutcome call(Path socket, Request request, long waitMillis);
}
