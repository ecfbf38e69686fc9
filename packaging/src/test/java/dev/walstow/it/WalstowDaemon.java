package dev.walstow.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A `walstow daemon` process for one data directory, run as postgres, with its log captured to a file. */
final class WalstowDaemon {
    private final Process process;
    private final Path log;

    private WalstowDaemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static WalstowDaemon start(WalstowDist walstow, Path dataDirectory) {
        Path log = dataDirectory.resolveSibling(dataDirectory.getFileName() + "-daemon-" + System.nanoTime() + ".log");
        try {
            Process p = new ProcessBuilder(List.of("runuser", "-u", "postgres", "--", "env",
                    "JAVA_HOME=" + WalstowDist.ENV.get("JAVA_HOME"), walstow.launcher.toString(), "--config",
                    walstow.config.toString(), "daemon", "--pgdata", dataDirectory.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            WalstowDaemon d = new WalstowDaemon(p, log);
            Path socket = dataDirectory.resolve("pg_wal/.walstow/daemon.sock");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // The log line too: a killed daemon leaves its socket file behind, which says nothing about this one.
            while (!Files.exists(socket) || !d.log().contains("daemon listening on")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("daemon did not start:\n" + d.log());
                }
                PgCluster.sleep(100);
            }
            return d;
        } catch (IOException e) {
            throw new AssertionError("cannot start the daemon: " + e, e);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no daemon log: " + e + ")";
        }
    }

    /** The daemon JVM's pid (runuser's child: the launcher and walstow-jvm exec into it). */
    long pid() {
        return process.children().findFirst().orElseThrow(() -> new AssertionError("the daemon is not running:\n"
                + log())).pid();
    }

    /**
     * Sends {@code signal} (e.g. STOP, CONT) to the JVM itself. CONT goes to runuser as well: like su, it stops
     * itself when its child stops, and would otherwise never see the JVM exit.
     */
    void signal(String signal) {
        List<String> kill = new java.util.ArrayList<>(List.of("kill", "-" + signal, String.valueOf(pid())));
        if (signal.equals("CONT")) {
            kill.add(String.valueOf(process.pid()));
        }
        Proc.run(null, java.util.Map.of(), 10, kill).ok();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code limit} for the daemon to exit by itself; @return its exit status, or null if it runs on. */
    Integer awaitExit(java.time.Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGKILL to the JVM itself (runuser would not forward it). */
    void kill9() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM to the JVM: the graceful path. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill9();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
