package dev.walstow.agent;

import dev.walstow.agent.protocol.Request;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Asks the daemon once; never throws, never waits longer than {@code waitMillis}. */
@FunctionalInterface
public interface DaemonClient {
    DaemonOutcome call(Path socket, Request request, long waitMillis);

    /**
     * Like {@link #call(Path, Request, long)}, but gives up as {@link DaemonOutcome.Why#UNRESPONSIVE} as soon as
     * {@code responsive} (asked a few times a second) says the daemon stopped showing signs of life.
     */
    default DaemonOutcome call(Path socket, Request request, long waitMillis, BooleanSupplier responsive) {
        return call(socket, request, waitMillis);
    }
}
