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
            while (!Files.exists(socket)) {
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
