package dev.walstow.expire;

import dev.walstow.config.Durations;
import dev.walstow.error.UserError;
import java.time.Duration;

/**
 * What {@code walstow expire} keeps. A backup is kept if any rule keeps it, so each rule is a floor; and a kept backup
 * keeps every backup its restore needs (its reference, the reference's reference, ... down to the full).
 *
 * @param full keep the newest {@code full} full backups, each with the differential and incremental backups that build
 *     on it (0: no count rule)
 * @param diff of the backups the count rule keeps, keep only the newest {@code diff} differential backups: an older
 *     one goes with the incrementals that build on it (0: no differential rule). Only with {@code full}: it thins
 *     what the count rule keeps, and keeps nothing by itself
 * @param window keep any point of the last {@code window} recoverable (zero: no window rule)
 * @param failedAge a backup directory without a manifest is removed only once both its start (the label) and its
 *     newest object are older than this: a running backup has no manifest yet either, and removing its objects would
 *     let it write a manifest for a backup that is no longer there
 */
public record RetentionPolicy(int full, int diff, Duration window, Duration failedAge) {
    public static final Duration DEFAULT_FAILED_AGE = Duration.ofHours(24);
    /** What a user does about {@link #none}: the refusal's hint, and the dry run's advice. */
    public static final String HOW_TO_SET = "set [backup] retention-full and/or retention-window, or pass "
            + "--retention-full N / --retention-window 7d";

    public RetentionPolicy {
        if (full < 0) {
            throw UserError.usage("retention-full must be >= 0, not " + full, "pass a number of backups");
        }
        if (diff < 0) {
            throw UserError.usage("retention-diff must be >= 0, not " + diff, "pass a number of backups");
        }
        if (window.isNegative()) {
            throw UserError.usage("retention-window must not be negative", "pass e.g. 7d");
        }
        if (failedAge.isNegative() || failedAge.isZero()) {
            throw UserError.usage("the failed-backup age must be positive", "pass e.g. 24h");
        }
        if (diff > 0 && full == 0) {
            // Like pgBackRest: the differential rule chooses among the fulls' dependents, it is no retention itself.
            throw UserError.usage("retention-diff " + diff + " needs retention-full: it only thins the differential "
                    + "backups of the full backups retention-full keeps", "set [backup] retention-full too (or pass "
                    + "--retention-full N), or set retention-diff = 0");
        }
        if (none(full, window)) {
            throw UserError.usage("no retention is configured, so expire would keep everything", HOW_TO_SET);
        }
    }

    /** Without the differential rule. */
    public RetentionPolicy(int full, Duration window, Duration failedAge) {
        this(full, 0, window, failedAge);
    }

    /** Neither the count nor the window rule: expire refuses to run, a dry run says so. */
    public static boolean none(int full, Duration window) {
        return full == 0 && window.isZero();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (full > 0) {
            sb.append("retention-full ").append(full);
        }
        if (diff > 0) {
            sb.append(", retention-diff ").append(diff);
        }
        if (!window.isZero()) {
            sb.append(sb.isEmpty() ? "" : ", ").append("retention-window ").append(Durations.text(window));
        }
        return sb.toString();
    }
}
