package dev.walstow.daemon.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The running kernel's boot id (a UUID that changes at every boot), which keys the prefetch spool to the boot that
 * wrote it. The launcher (packaging/src/main/c/walstow.c) reads the same file; keep the two in sync.
 */
public final class BootId {
    static final Path SOURCE = Path.of("/proc/sys/kernel/random/boot_id");
    static final String CURRENT = read(SOURCE);

    private BootId() {}

    static String read(Path source) {
        try {
            String id = Files.readString(source, StandardCharsets.US_ASCII).strip();
            if (id.matches("[0-9a-f-]{36}")) {
                return id;
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux, or /proc not mounted: fall through
        }
        return "process-" + UUID.randomUUID();
    }
}
