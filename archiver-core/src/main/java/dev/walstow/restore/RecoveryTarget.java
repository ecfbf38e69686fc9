package dev.walstow.restore;

import dev.walstow.error.UserError;
import dev.walstow.wal.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where recovery should stop, as PostgreSQL's recovery_target_* settings say it. walstow parses the value to choose
 * a backup and to know how much WAL is needed; a time is handed to PostgreSQL in the canonical form it was read into
 * ({@link TargetTime}), every other value as given.
 *
 * <p>PostgreSQL ignores recovery_target_action when there is no target ({@code latest}): recovery then replays
 * everything and promotes. So {@code promote} with {@code latest} is what happens anyway, and {@code pause} or
 * {@code shutdown} with it are refused rather than silently dropped.
 *
 * @param timeline recovery_target_timeline: {@code latest} (PostgreSQL's default), {@code current} or a number
 * @param action recovery_target_action, or empty for PostgreSQL's default (pause)
 */
public record RecoveryTarget(Kind kind, String value, String timeline, Optional<String> action) {

    public enum Kind { TIME, LSN, XID, NAME, IMMEDIATE, LATEST }

    public RecoveryTarget {
        if (!timeline.equals("latest") && !timeline.equals("current") && !timeline.matches("[1-9][0-9]{0,9}")) {
            throw UserError.usage("--target-timeline '" + timeline + "' is not latest, current or a number",
                    "pass e.g. --target-timeline 2 (decimal, as PostgreSQL takes it)");
        }
        if (action.isPresent() && !List.of("promote", "pause", "shutdown").contains(action.get())) {
            throw UserError.usage("--target-action '" + action.get() + "' is not promote, pause or shutdown",
                    "pass one of promote, pause, shutdown");
        }
        if (kind == Kind.LATEST && action.isPresent() && !action.get().equals("promote")) {
            throw UserError.usage("--target-action " + action.get() + " needs a recovery target: with --target "
                    + "latest PostgreSQL ignores recovery_target_action, replays the whole archive and promotes",
                    "pass a target (--target-time, --target-lsn, --target-xid, --target-name or --target immediate), "
                            + "or leave out --target-action");
        }
        if (kind == Kind.TIME) {
            value = TargetTime.canonical(TargetTime.parse(value));
        } else if (kind == Kind.LSN) {
            Lsn.parse(value);
        } else if (kind == Kind.XID && !value.matches("[0-9]{1,20}")) {
            throw UserError.usage("--target-xid '" + value + "' is not a transaction id", "pass a number");
        }
    }

    public Instant time() {
        return TargetTime.parse(value);
    }

    public Lsn lsn() {
        return Lsn.parse(value);
    }

    /** The postgresql.auto.conf lines for this target (restore_command is added by the caller). */
    public List<String> settings() {
        List<String> lines = new ArrayList<>();
        switch (kind) {
            case TIME -> lines.add(setting("recovery_target_time", value));
            case LSN -> lines.add(setting("recovery_target_lsn", value));
            case XID -> lines.add(setting("recovery_target_xid", value));
            case NAME -> lines.add(setting("recovery_target_name", value));
            case IMMEDIATE -> lines.add(setting("recovery_target", "immediate"));
            case LATEST -> { }
        }
        lines.add(setting("recovery_target_timeline", timeline));
        if (kind != Kind.LATEST) { // latest: only promote is allowed, and it is what PostgreSQL does anyway
            action.ifPresent(a -> lines.add(setting("recovery_target_action", a)));
        }
        return lines;
    }

    /** {@code name = 'value'} with quotes doubled, as postgresql.conf parses it. */
    static String setting(String name, String value) {
        return name + " = '" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    public String describe() {
        return switch (kind) {
            case IMMEDIATE -> "the end of the backup (immediate)";
            case LATEST -> "the end of the archive (latest)";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        };
    }
}
