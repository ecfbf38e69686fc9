package dev.walstow.backup;

import dev.walstow.catalog.TimelineHistory;
import dev.walstow.error.DataError;
import dev.walstow.wal.Lsn;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which type of backup to take and what it builds on. A differential builds on the newest full, an incremental on the
 * newest backup of any type; without {@code --type}, an incremental when there is something usable to build on. A
 * reference is usable only if restoring it and then this backup's changes gives this cluster: same system and major
 * version (a {@code pg_upgrade} makes a new cluster), the same data checksums setting, on this server's timeline history (a backup of an abandoned
 * branch holds blocks this server never had), older than this backup, and with a complete chain itself. Anything
 * else falls back to a full, and {@link Decision#why} says why.
 */
public final class ReferenceChoice {

    /** @param reference the chain this backup builds on; empty for a full */
    public record Decision(BackupType type, Optional<BackupChain> reference, String why) {}

    /**
     * What the server says about itself at this backup's start.
     *
     * @param history this server's timeline history (its current timeline and the ones it descends from)
     * @param dataChecksums whether the server has data checksums on
     */
    public record Server(String systemIdentifier, int versionNum, TimelineHistory history, Lsn start,
            boolean dataChecksums) {}

    private ReferenceChoice() {}

    /**
     * @param requested {@code --type}, if given
     * @param backups the repository's complete backups, oldest first
     */
    public static Decision decide(Optional<BackupType> requested, List<BackupManifest> backups, Server server) {
        if (requested.orElse(null) == BackupType.FULL) {
            return full("--type full");
        }
        List<BackupManifest> ours = backups.stream()
                .filter(b -> b.systemIdentifier().equals(server.systemIdentifier())).toList();
        BackupType type = requested.orElse(BackupType.INCR);
        Optional<BackupManifest> candidate = (type == BackupType.DIFF
                ? ours.stream().filter(b -> b.backupType() == BackupType.FULL) : ours.stream())
                .reduce((older, newer) -> newer);
        if (candidate.isEmpty()) {
            return full(type == BackupType.DIFF ? "there is no full backup of this cluster to take a differential of"
                    : "there is no earlier backup of this cluster to build on");
        }
        BackupManifest ref = candidate.get();
        Map<String, BackupManifest> byLabel = ours.stream()
                .collect(Collectors.toMap(BackupManifest::label, Function.identity(), (a, b) -> a));
        Optional<String> problem = problem(ref, server);
        BackupChain chain = null;
        if (problem.isEmpty()) {
            try {
                chain = BackupChain.of(ref, label -> Optional.ofNullable(byLabel.get(label)));
            } catch (DataError e) {
                problem = Optional.of(e.getMessage());
            }
        }
        if (problem.isPresent()) {
            return full("backup " + ref.label() + " cannot be built on: " + problem.get());
        }
        String what = type == BackupType.DIFF ? "the newest full backup" : "the newest backup (" + ref.backupType()
                .text() + ")";
        return new Decision(type, Optional.of(chain), (requested.isPresent() ? "--type " + type.text()
                : "a usable backup exists, so an incremental") + ": builds on " + what + ", " + ref.label());
    }

    private static Optional<String> problem(BackupManifest ref, Server server) {
        if (ref.pgVersionNum() / 10000 != server.versionNum() / 10000) {
            return Optional.of("it was taken on PostgreSQL " + ref.pgVersionNum() / 10000 + ", the server now runs "
                    + server.versionNum() / 10000 + " (pg_upgrade makes a new cluster)");
        }
        if (!server.history().includes(ref.timelineId(), ref.stop())) {
            return Optional.of("it was taken on timeline " + ref.timelineId().value() + " up to " + ref.stop()
                    + ", which is not on this server's timeline history (timeline "
                    + server.history().target().value() + ")");
        }
        if (ref.dataChecksums() == null || ref.dataChecksums() != server.dataChecksums()) {
            return Optional.of("data checksums were " + (ref.dataChecksums() == null ? "not recorded"
                    : ref.dataChecksums() ? "on" : "off") + " then and are " + (server.dataChecksums() ? "on" : "off")
                    + " now (pg_checksums rewrites every page without changing its LSN)");
        }
        if (ref.start().compareTo(server.start()) >= 0) {
            return Optional.of("it started at " + ref.start() + ", not before this backup's start " + server.start());
        }
        return Optional.empty();
    }

    private static Decision full(String why) {
        return new Decision(BackupType.FULL, Optional.empty(), why);
    }
}
