package dev.walstow.agent.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code pg_wal/.walstow/serving}: the one file that says a daemon answers for this data directory, for which
 * repository and which configuration file, and that it is alive.
 *
 * <pre>
 * walstow-serving-1 PID REPOSITORY-ID CONFIG-FINGERPRINT CONFIG-PATH\n
 * </pre>
 *
 * <ul>
 *   <li>REPOSITORY-ID (16 hex digits) names the directory {@code repo-REPOSITORY-ID/} that holds every piece of
 *       state the daemon publishes ({@code pushed/}, {@code failed/}, {@code prefetch/}, asks and answers). It is
 *       derived from the repository's location and its binding, so state of another repository (a new path, a
 *       re-initialised repository, a clone's) is never even looked at.</li>
 *   <li>CONFIG-FINGERPRINT ({@link ConfigFile#fingerprint}) of the configuration file the daemon loaded: a call
 *       whose configuration file differs in any way takes the slow path.</li>
 *   <li>The file's mtime is the daemon's heartbeat, renewed every {@link #HEARTBEAT_EVERY}. A daemon that stops
 *       renewing it for {@link #STALE_AFTER} (SIGSTOP, a hung JVM) is treated as absent: calls fall back instead of
 *       waiting for it. The daemon also holds an fcntl lock on {@link #LOCK} for its whole life, which the launcher
 *       checks against PID (a reused pid cannot pass for the daemon).</li>
 * </ul>
 * The daemon deletes this file first thing at start-up and at shutdown, and writes it only once it serves; a
 * prefetched file is handed over only while the daemon that fetched it is the one published here.
 */
public record Serving(long pid, String repositoryId, String configFingerprint, String configPath) {
    public static final String FILE = SpoolContract.SERVING;
    public static final String LOCK = SpoolContract.LOCK;
    public static final String STATE_PREFIX = SpoolContract.STATE_PREFIX;
    public static final String MAGIC = "walstow-serving-1";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9]+:[0-9]+:[0-9]+:[0-9]+\\.[0-9]{9}:[0-9]+\\.[0-9]{9}");

    /**
     * How often the daemon renews the heartbeat, and when the launcher and agent stop trusting it. Five missed
     * beats: a busy 2-core machine delays a 1 s timer by far less (docs/benchmarks.md, heartbeat), and a hung
     * daemon then holds PostgreSQL's serial archiver for about five seconds once, not for the reply timeout.
     * Mirrored in walstow.c (HEARTBEAT_STALE_MS).
     */
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(1);
    public static final Duration STALE_AFTER = Duration.ofSeconds(5);

    public Serving {
        if (pid <= 0 || !ID.matcher(repositoryId).matches() || !FINGERPRINT.matcher(configFingerprint).matches()
                || configPath.isEmpty() || configPath.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("not a valid serving record: " + pid + " " + repositoryId + " "
                    + configFingerprint + " " + configPath);
        }
    }

    /** {@code repo-ID}: the directory, under the spool root, of this repository's state. */
    public static String stateDirectory(String repositoryId) {
        return STATE_PREFIX + repositoryId;
    }

    public String format() {
        return MAGIC + " " + pid + " " + repositoryId + " " + configFingerprint + " " + configPath + "\n";
    }

    public static Optional<Serving> parse(String text) {
        if (!text.endsWith("\n")) {
            return Optional.empty();
        }
        String[] f = text.substring(0, text.length() - 1).split(" ", 5);
        if (f.length != 5 || !f[0].equals(MAGIC)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Serving(Long.parseLong(f[1]), f[2], f[3], f[4]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** What a reader found: the record and the heartbeat (the file's mtime). */
    public record Observed(Serving serving, Instant heartbeat) {
        /** The heartbeat is recent (and not from the future: a clock set back is not trusted either). */
        public boolean fresh(Instant now) {
            return Serving.fresh(heartbeat, now);
        }

        /** Fresh, and the published process still exists. */
        public boolean live(Instant now) {
            return fresh(now) && ProcessHandle.of(serving.pid()).map(ProcessHandle::isAlive).orElse(false);
        }

    }

    /** A heartbeat younger than {@link #STALE_AFTER}, and not from the future (a clock set back). */
    public static boolean fresh(Instant heartbeat, Instant now) {
        Duration age = Duration.between(heartbeat, now);
        return age.compareTo(STALE_AFTER) < 0 && age.compareTo(STALE_AFTER.negated()) > 0;
    }

    /** @return what {@code spoolRoot/serving} says now, or empty if there is none or it is unreadable */
    public static Optional<Observed> read(Path spoolRoot) {
        Path file = spoolRoot.resolve(FILE);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() || attributes.size() > 8192) {
                return Optional.empty();
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8))
                    .map(s -> new Observed(s, attributes.lastModifiedTime().toInstant()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The heartbeat alone (one stat), for a waiting caller that has already read the record. */
    public static Optional<Instant> heartbeat(Path spoolRoot) {
        try {
            return Optional.of(Files.getLastModifiedTime(spoolRoot.resolve(FILE), LinkOption.NOFOLLOW_LINKS)
                    .toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
