package dev.walstow.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a process with a bounded wait; captures stdout and stderr. Everything in these tests has a time limit. */
record Proc(int exit, String out, String err) {

    static Proc run(Path dir, Map<String, String> env, long timeoutSeconds, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var outBytes = new java.io.ByteArrayOutputStream();
            var errBytes = new java.io.ByteArrayOutputStream();
            Thread t1 = Thread.ofVirtual().start(() -> copy(out, outBytes));
            Thread t2 = Thread.ofVirtual().start(() -> copy(err, errBytes));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
            }
            t1.join();
            t2.join();
            return new Proc(p.exitValue(), outBytes.toString(StandardCharsets.UTF_8),
                    errBytes.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** Runs as the postgres OS user: initdb refuses root, and walstow must work as the user PostgreSQL runs as. */
    static Proc asPostgres(Path dir, Map<String, String> env, long timeoutSeconds, String... command) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", "env"));
        env.forEach((k, v) -> full.add(k + "=" + v));
        full.addAll(List.of(command));
        return run(dir, Map.of(), timeoutSeconds, full);
    }

    Proc ok() {
        if (exit != 0) {
            throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
        }
        return this;
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // The process ended; what was read is what we report.
        }
    }
}
