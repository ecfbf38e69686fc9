package dev.walstow.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the daemon tells agents in {@code pg_wal/.walstow/agent.properties} for the times it cannot answer itself.
 *
 * <p>Unknown or broken values fall back to the defaults rather than failing the call: this file is a hint, and
 * a typo in it must not stop archiving. The daemon writes it, so a bad value is a daemon bug, not the DBA's.
 *
 * @param fallback what to do when no daemon answers
 * @param replyWaitMillis how long to wait for the reply: the daemon's own wait-timeout plus a margin, so the
 *     daemon's timeout (with its precise message) normally fires first
 */
public record AgentSettings(Fallback fallback, long replyWaitMillis) {
    /** Used when agent.properties does not say: longer than any sane daemon-side wait. */
    public static final long DEFAULT_REPLY_WAIT_MILLIS = 90_000;
    /** Added to the daemon's wait-timeout-ms so its own, more precise timeout wins the race. */
    public static final long MARGIN_MILLIS = 10_000;
    private static final String FALLBACK = "fallback";
    private static final String WAIT_TIMEOUT = "wait-timeout-ms";

    public enum Fallback {
        /** Run the full CLI in this JVM: slower, but archiving never depends on the daemon running. */
        IN_PROCESS,
        /** Fail the call: for operators who want a stopped daemon to show up as failing archive_command. */
        FAIL
    }

    public static final AgentSettings DEFAULTS = new AgentSettings(Fallback.IN_PROCESS, DEFAULT_REPLY_WAIT_MILLIS);

    public static AgentSettings read(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return DEFAULTS;
        } catch (IOException | IllegalArgumentException e) {
            return DEFAULTS;
        }
        return of(p);
    }

    /** What the daemon writes: the one place that knows this file's keys besides {@link #of}. */
    public static String text(Fallback fallback, long daemonWaitTimeoutMillis) {
        return "# written by the walstow daemon at start-up; read by agents when it does not answer\n"
                + FALLBACK + "=" + (fallback == Fallback.FAIL ? "fail" : "in-process") + "\n"
                + WAIT_TIMEOUT + "=" + daemonWaitTimeoutMillis + "\n";
    }

    static AgentSettings of(Properties p) {
        Fallback fallback = "fail".equals(trimmed(p, FALLBACK)) ? Fallback.FAIL : Fallback.IN_PROCESS;
        long wait = DEFAULT_REPLY_WAIT_MILLIS;
        String timeout = trimmed(p, WAIT_TIMEOUT);
        if (timeout != null) {
            try {
                long daemonWait = Long.parseLong(timeout);
                if (daemonWait >= 0 && daemonWait <= Long.MAX_VALUE - MARGIN_MILLIS) {
                    wait = daemonWait + MARGIN_MILLIS;
                }
            } catch (NumberFormatException e) {
                // keep the default: see the class comment
            }
        }
        return new AgentSettings(fallback, wait);
    }

    private static String trimmed(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : v.trim();
    }
}
