package dev.walstow.repo;

import dev.walstow.storage.LocalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who takes the repository lock: names for people (host, user, pid) and, where {@code /proc} tells, the process
 * itself ({@link LocalProcess#token}), so that a process on the same host can prove the holder has exited.
 *
 * @param process the holder's {@link LocalProcess#token}, or empty off Linux
 */
public record LockOwner(String host, String user, long pid, Optional<String> process) {

    /** This process. The host name comes from the kernel, never from DNS (a lookup could hang). */
    public static LockOwner current() {
        return new LockOwner(hostName(), System.getProperty("user.name", "?"), ProcessHandle.current().pid(),
                LocalProcess.current().map(LocalProcess::token));
    }

    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux: fall back to the environment
        }
        return Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("unknown-host");
    }
}
