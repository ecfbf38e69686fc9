package dev.walstow.backup;

import dev.walstow.error.UserError;
import java.util.Locale;

/**
 * What a backup copies. A full copies every file; a differential ({@code diff}) only what changed since the newest
 * full; an incremental ({@code incr}) only what changed since the newest backup of any type. Restoring a diff or an
 * incr needs every backup of its chain down to the full.
 */
public enum BackupType {
    FULL, DIFF, INCR;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BackupType parse(String text) {
        for (BackupType t : values()) {
            if (t.text().equals(text)) {
                return t;
            }
        }
        throw UserError.usage("unknown backup type '" + text + "'", "use full, diff or incr");
    }
}
