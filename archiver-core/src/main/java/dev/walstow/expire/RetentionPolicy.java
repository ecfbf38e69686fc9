package dev.walstow.expire;

import dev.walstow.config.Durations;
import dev.walstow.error.UserError;
import java.time.Duration;

/**
 * What {@code walstow expire} keeps. A backup is kept if either rule keeps it, so each rule is a floor.
 *
 * @param full keep at least the newest {@code full} complete backups (0: no count rule)
 * @param window keep any point of the last {@code window} recoverable (zero: no window rule)
 * @param failedAge a backup directory without a manifest is removed only once both its start (the label) and its
 *     newest object are older than this: a running backup has no manifest yet either, and removing its objects would
 *     let it write a manifest for a backup that is no longer there
 */
public record RetentionPolicy(int full, Duration window, Duration failedAge) {
    public static final Duration DEFAULT_FAILED_AGE = Duration.ofHours(24);
    /** What a user does about {@link #none}: the refusal's hint, and the dry run's advice. */
    public static final String HOW_TO_SET = "set [backup] retention-full and/or retention-window, or pass "
            + "--retention-full N / --retention-window 7d";

    public RetentionPolicy {
        if (full < 0) {
            throw UserError.usage("retention-full must be >= 0, not " + full, "pass a number of backups");
        }
        if (window.isNegative()) {
            throw UserError.usage("retention-window must not be negative", "pass e.g. 7d");
        }
        if (failedAge.isNegative() || failedAge.isZero()) {
            throw UserError.usage("the failed-backup age must be positive", "pass e.g. 24h");
        }
        if (none(full, window)) {
            throw UserError.usage("no retention is configured, so expire would keep everything", HOW_TO_SET);
        }
    }

    /** Neither rule: expire refuses to run, a dry run says so. */
    public static boolean none(int full, Duration window) {
        return full == 0 && window.isZero();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (full > 0) {
            sb.append("retention-full ").append(full);
        }
        if (!window.isZero()) {
            sb.append(sb.isEmpty() ? "" : ", ").append("retention-window ").append(Durations.text(window));
        }
        return sb.toString();
    }
}
