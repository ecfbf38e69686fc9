package dev.walstow.agent;

import java.nio.file.Path;

/**
 * Entry point of the agent JVM that bin/walstow starts for archive-push and archive-get when its bash fast paths
 * cannot answer. JDK only, one small jar: this JVM exists for a few milliseconds per WAL file.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        String home = System.getProperty("walstow.home");
        Agent agent = new Agent(
                // Relative on purpose: PostgreSQL runs us in the data directory, and a relative socket path is not
                // subject to the 108-byte sun_path limit that a deep absolute data directory path could exceed.
                Path.of(Agent.SPOOL),
                System.getProperty("user.dir"),
                new UnixSocketDaemonClient(),
                new CliInProcessRunner(home == null ? null : Path.of(home), System.err),
                System.err);
        System.exit(agent.run(args));
    }
}
