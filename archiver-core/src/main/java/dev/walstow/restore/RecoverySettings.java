package dev.walstow.restore;

import dev.walstow.error.UserError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the restored server is set up to start, besides the target: recovery or standby ({@code --type}), whether it
 * may archive ({@code --archive-mode}), and further settings ({@code --recovery-option}). What it writes goes into
 * postgresql.auto.conf after the backup's own content, so it overrides what the primary had there.
 *
 * <p>{@code --archive-mode} defaults to {@code off} for a recovery: a copy restored to look at old data (the common
 * case, and every restore rehearsal) that kept the primary's archive settings would promote and archive a timeline
 * of its own into the primary's repository, which later restores to {@code latest} would follow. A server that
 * replaces the primary passes {@code preserve}. A standby defaults to {@code preserve}: it archives nothing while it
 * replays (archive_mode {@code on}), and is built to take over.
 *
 * @param restoreCommand the restore_command: walstow's, or the one given with {@code --recovery-option}
 * @param options further settings from {@code --recovery-option}, in the order given, restore_command excluded
 */
public record RecoverySettings(Type type, ArchiveMode archiveMode, String restoreCommand, Map<String, String> options) {

    public enum Type {
        /** recovery.signal: recover to the target, then pause, promote or shut down. */
        RECOVERY("recovery.signal"),
        /** standby.signal: replay what the archive (or primary_conninfo) delivers, until promoted. */
        STANDBY("standby.signal");

        private final String signalFile;

        Type(String signalFile) {
            this.signalFile = signalFile;
        }

        public String signalFile() {
            return signalFile;
        }
    }

    public enum ArchiveMode {
        /** archive_mode = 'off' in postgresql.auto.conf. */
        OFF,
        /** The backup's archive settings, untouched. */
        PRESERVE
    }

    /** Settings walstow writes from its own options: given as --recovery-option they would contradict them. */
    private static final Set<String> OWN = Set.of("recovery_target", "recovery_target_time", "recovery_target_lsn",
            "recovery_target_xid", "recovery_target_name", "recovery_target_timeline", "recovery_target_action",
            "archive_mode");

    public RecoverySettings {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * Reads the command's options.
     *
     * @param type {@code recovery} or {@code standby}
     * @param archiveMode {@code off} or {@code preserve}; empty for the type's default
     * @param walstowRestoreCommand walstow's restore_command, used unless {@code recoveryOptions} give one
     * @param recoveryOptions {@code KEY=VALUE} each
     */
    public static RecoverySettings parse(String type, Optional<String> archiveMode, String walstowRestoreCommand,
            List<String> recoveryOptions) {
        Type t = switch (type) {
            case "recovery" -> Type.RECOVERY;
            case "standby" -> Type.STANDBY;
            default -> throw UserError.usage("--type '" + type + "' is not recovery or standby",
                    "pass --type recovery (the default: recover to the target) or --type standby (standby.signal)");
        };
        ArchiveMode mode = archiveMode.map(m -> switch (m) {
            case "off" -> ArchiveMode.OFF;
            case "preserve" -> ArchiveMode.PRESERVE;
            default -> throw UserError.usage("--archive-mode '" + m + "' is not off or preserve",
                    "pass --archive-mode off (the copy never archives) or preserve (it keeps the backup's "
                            + "archive settings)");
        }).orElse(t == Type.STANDBY ? ArchiveMode.PRESERVE : ArchiveMode.OFF);
        String restoreCommand = walstowRestoreCommand;
        Map<String, String> options = new LinkedHashMap<>();
        for (String o : recoveryOptions) {
            int eq = o.indexOf('=');
            String key = eq < 0 ? o : o.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq <= 0 || !key.matches("[a-z_][a-z0-9_$]*(\\.[a-z_][a-z0-9_$]*)?")) {
                throw UserError.usage("--recovery-option '" + o + "' is not KEY=VALUE with KEY a setting name",
                        "pass e.g. --recovery-option primary_conninfo='host=primary user=replicator'");
            }
            if (OWN.contains(key)) {
                throw UserError.usage("--recovery-option " + key + " is set by walstow restore's own options",
                        key.equals("archive_mode") ? "pass --archive-mode off|preserve"
                                : "pass --target-time, --target-lsn, --target-xid, --target-name, --target, "
                                        + "--target-timeline or --target-action instead");
            }
            String value = o.substring(eq + 1);
            if (key.equals("restore_command")) {
                restoreCommand = value;
            } else if (options.put(key, value) != null) {
                throw UserError.usage("--recovery-option " + key + " is given twice", "pass each setting once");
            }
        }
        return new RecoverySettings(t, mode, restoreCommand, options);
    }

    /** Refuses a target the type cannot honour: never silently dropped. */
    void check(RecoveryTarget target) {
        if (type == Type.STANDBY && (target.kind() != RecoveryTarget.Kind.LATEST || target.action().isPresent())) {
            throw UserError.usage("--type standby takes no recovery target and no --target-action: a standby "
                    + "replays until it is promoted", "leave out --target-*/--target-action (--target-timeline "
                    + "stays), or restore with --type recovery to stop at a target");
        }
    }

    /** The postgresql.auto.conf lines: restore_command, archive_mode, the target's settings, the options. */
    List<String> lines(RecoveryTarget target) {
        List<String> lines = new ArrayList<>();
        lines.add(RecoveryTarget.setting("restore_command", restoreCommand));
        if (archiveMode == ArchiveMode.OFF) {
            lines.add(RecoveryTarget.setting("archive_mode", "off"));
        }
        lines.addAll(target.settings());
        options.forEach((k, v) -> lines.add(RecoveryTarget.setting(k, v)));
        return lines;
    }
}
