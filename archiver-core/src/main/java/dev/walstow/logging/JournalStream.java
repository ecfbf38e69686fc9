package dev.walstow.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether stderr is systemd's journal stream: systemd sets {@code JOURNAL_STREAM=DEVICE:INODE} (systemd.exec(5)) for a
 * service whose output goes to the journal, and the variable is inherited by everything the service starts, whose
 * stderr may go elsewhere (PostgreSQL's logging collector, a pipe, a terminal). So the variable alone is not enough:
 * stderr must be that very stream. Only then do lines carry sd-daemon(3) priority prefixes.
 */
final class JournalStream {
    static final String ENV = "JOURNAL_STREAM";
    private static final Path STDERR = Path.of("/proc/self/fd/2");

    private JournalStream() {}

    static boolean isStderr(Map<String, String> environment) {
        return connects(environment.get(ENV), STDERR);
    }

    /** Whether {@code value} ({@code DEVICE:INODE}, decimal) names the file {@code fd} is, or leads to. */
    static boolean connects(String value, Path fd) {
        if (value == null) {
            return false;
        }
        int colon = value.indexOf(':');
        try {
            long device = Long.parseLong(value.substring(0, Math.max(colon, 0)));
            long inode = Long.parseLong(value.substring(colon + 1));
            Map<String, Object> stat = Files.readAttributes(fd, "unix:dev,ino");
            return stat.get("dev") instanceof Long dev && dev == device
                    && stat.get("ino") instanceof Long ino && ino == inode;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Not on Linux, no such descriptor, or not the form systemd writes: a plain stream, then.
            return false;
        }
    }
}
