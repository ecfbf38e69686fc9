package dev.walstow.agent;

import java.nio.file.Path;

/**
 * Entry point of the agent JVM that bin/walstow (through bin/walstow-jvm) starts for archive-push and archive-get
 * when its fast paths cannot answer. JDK only, one small jar: this JVM exists for a few milliseconds per WAL file.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        Agent agent = create(System.getProperty("walstow.home"));
        int exit = agent.run(args);
        if (agent.ranInProcess()) {
            // The full CLI may have registered shutdown hooks (logging, native resources): exit properly.
            System.exit(exit);
        }
        // Nothing of ours needs shutdown hooks, and System.exit would first initialise the JDK's System.Logger
        // machinery (JDK 21+ logs Runtime.exit): about 30 classes, measurable in a JVM that lives for 40 ms.
        System.err.flush();
        System.out.flush();
        Runtime.getRuntime().halt(exit);
    }

    static Agent create(String home) {
        return new Agent(
                // Relative on purpose: PostgreSQL runs us in the data directory, and a relative socket path is not
                // subject to the 108-byte sun_path limit that a deep absolute data directory path could exceed.
                Path.of(Agent.SPOOL),
                System.getProperty("user.dir"),
                new UnixSocketDaemonClient(),
                new CliInProcessRunner(home == null ? null : Path.of(home), System.err),
                System.err);
    }
}
