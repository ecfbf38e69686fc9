package dev.walstow.expire;

import dev.walstow.wal.TimelineId;
import java.util.List;

/**
 * What {@code walstow expire} deletes and keeps, with the reason for each, decided by {@link ExpirePlanner} before
 * anything is deleted. {@link #text} is what {@code --dry-run} prints and what a real run reports.
 *
 * @param policy the rules applied
 * @param kept complete backups kept, oldest first
 * @param expired complete backups to delete, oldest first
 * @param walCutoff the start of the oldest kept backup: every WAL file from here on is kept, on every timeline;
 *     null when no kept backup can be restored, e.g. the repository has none (then no WAL is deleted)
 * @param wal WAL to delete, per timeline, as runs of consecutive segment numbers
 * @param failed backup directories without a manifest, old enough to remove
 * @param leftFailed backup directories without a manifest that are too young to remove (may still be running)
 */
public record ExpirePlan(RetentionPolicy policy, List<Backup> kept, List<Backup> expired, String walCutoff,
        List<WalRun> wal, List<Failed> failed, List<Failed> leftFailed) {

    /**
     * @param type {@code full}, {@code diff} or {@code incr}
     * @param reference the backup it builds on; null for a full
     * @param objects keys to delete besides the manifest (for a kept backup: empty)
     * @param manifestKey deleted first, so that a half-deleted backup is never taken for a complete one
     */
    public record Backup(String label, String type, String reference, String stopTime, String manifestKey,
            List<String> objects, String reason) {
        String describe() {
            return label + " (" + type + (reference == null ? "" : " of " + reference) + ", stopped " + stopTime;
        }
    }

    /** WAL files of one timeline numbered {@code first} to {@code last} (segments, .partial, .backup files). */
    public record WalRun(TimelineId timeline, String first, String last, List<String> keys) {}

    public record Failed(String label, List<String> keys, String reason) {}

    public boolean nothingToDo() {
        return expired.isEmpty() && wal.isEmpty() && failed.isEmpty();
    }

    public int walFileCount() {
        return wal.stream().mapToInt(r -> r.keys().size()).sum();
    }

    public int objectCount() {
        return expired.stream().mapToInt(b -> b.objects().size() + 1).sum() + walFileCount()
                + failed.stream().mapToInt(f -> f.keys().size()).sum();
    }

    /** One line per decision; {@code verb} is "delete" for a real run, "would delete" for a dry run. */
    public String text(String verb) {
        StringBuilder sb = new StringBuilder();
        sb.append("expire with ").append(policy.describe()).append('\n');
        for (Backup b : kept) {
            sb.append("keep backup ").append(b.describe()).append("): ").append(b.reason()).append('\n');
        }
        for (Backup b : expired) {
            sb.append(verb).append(" backup ").append(b.describe()).append("; manifest first, then ")
                    .append(b.objects().size()).append(" objects): ").append(b.reason()).append('\n');
        }
        for (WalRun r : wal) {
            sb.append(verb).append(" WAL timeline ").append(r.timeline().value()).append(": ").append(r.first())
                    .append(r.first().equals(r.last()) ? "" : " .. " + r.last()).append(" (")
                    .append(r.keys().size()).append(r.keys().size() == 1 ? " file" : " files")
                    .append("): before ").append(walCutoff).append(", the start of the oldest kept backup\n");
        }
        if (walCutoff == null) {
            sb.append("keep all WAL: no backup that can be restored is kept to measure it against\n");
        } else {
            sb.append("keep WAL from ").append(walCutoff).append(" on, on every timeline, and every history file\n");
        }
        for (Failed f : failed) {
            sb.append(verb).append(" failed backup ").append(f.label()).append(" (no manifest, ")
                    .append(f.keys().size()).append(" objects): ").append(f.reason()).append('\n');
        }
        for (Failed f : leftFailed) {
            sb.append("leave backup ").append(f.label()).append(" without manifest (").append(f.keys().size())
                    .append(" objects): ").append(f.reason()).append('\n');
        }
        if (nothingToDo()) {
            sb.append("nothing to delete\n");
        }
        return sb.toString();
    }
}
