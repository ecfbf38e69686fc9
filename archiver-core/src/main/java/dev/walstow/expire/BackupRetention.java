package dev.walstow.expire;

import dev.walstow.backup.BackupChain;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupType;
import dev.walstow.error.DataError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which complete backups {@code walstow expire} keeps, and why: the rules of a {@link RetentionPolicy} applied to whole
 * chains (a differential or incremental backup is restored with every backup it builds on, down to its full).
 *
 * <ul>
 *   <li><b>retention-full N</b> keeps the newest N fulls and every backup that builds on one of them; a full that
 *       expires takes every backup that builds on it along (pgBackRest's rule).</li>
 *   <li><b>retention-diff M</b> (with retention-full) keeps only the newest M differential backups: an older one
 *       expires with the incrementals that build on it.</li>
 *   <li><b>retention-window W</b> keeps the newest restorable backup that stopped <em>before</em> the window's start,
 *       and every later one: restore picks a backup that stopped strictly before the target.</li>
 *   <li>A backup any rule keeps keeps its whole chain (its reference, the reference's reference, ... the full), so
 *       expire never deletes a backup a kept one needs.</li>
 *   <li>A backup whose chain is already broken (a reference is gone) can be restored by no one, so no rule counts it;
 *       it is kept while it is newer than the oldest kept backup (left for {@code verify} to report and a person to
 *       look at, not deleted on a guess) and expires once it is older. If no restorable backup is kept at all,
 *       broken ones are kept too.</li>
 * </ul>
 *
 * <p>Follows references only: which files an incremental needs from its chain is restore's and verify's check.
 */
final class BackupRetention {
    /** At most this many dependents are named in a keep reason; a full may be the reference of many diffs. */
    private static final int NAMED = 3;

    /** A backup kept or expired, with the reason. */
    record Decision(BackupManifest backup, boolean keep, String reason) {}

    /**
     * @param decisions one per backup, oldest first
     * @param walFrom the kept restorable backup with the oldest start, from which the WAL is kept; empty when none is
     *     kept (then no WAL is deleted)
     */
    record Result(List<Decision> decisions, Optional<BackupManifest> walFrom) {}

    /** @param chain labels newest first, ending at the full; empty when broken */
    private record Link(List<String> chain, String broken) {
        boolean restorable() {
            return broken == null;
        }
    }

    private final RetentionPolicy policy;
    private final List<BackupManifest> backups;
    private final Map<String, Link> links = new HashMap<>();
    private final Map<String, Set<String>> keepWhy = new HashMap<>();
    private final Map<String, Set<String>> expireWhy = new HashMap<>();
    /** Label to the kept backups that name it as their reference. */
    private final Map<String, Set<String>> referenceOf = new HashMap<>();

    private BackupRetention(RetentionPolicy policy, List<BackupManifest> backups) {
        this.policy = policy;
        this.backups = backups;
        Map<String, BackupManifest> byLabel = new HashMap<>();
        backups.forEach(b -> byLabel.put(b.label(), withoutFiles(b)));
        for (BackupManifest b : byLabel.values()) {
            try {
                links.put(b.label(), new Link(BackupChain.of(b, l -> Optional.ofNullable(byLabel.get(l))).labels(),
                        null));
            } catch (DataError e) {
                links.put(b.label(), new Link(List.of(), e.getMessage()));
            }
        }
    }

    /** @param backups every complete backup, oldest first */
    static Result decide(RetentionPolicy policy, Instant now, List<BackupManifest> backups) {
        BackupRetention r = new BackupRetention(policy, backups);
        if (policy.full() > 0) {
            r.countRule();
        }
        if (!policy.window().isZero()) {
            r.windowRule(now.minus(policy.window()));
        }
        r.keepChains();
        return r.result();
    }

    private void countRule() {
        Set<String> keptFulls = Set.copyOf(newest(restorable(BackupType.FULL), policy.full()));
        List<String> diffs = restorable(BackupType.DIFF);
        Set<String> keptDiffs = policy.diff() > 0 ? Set.copyOf(newest(diffs, policy.diff())) : Set.copyOf(diffs);
        String fullRule = " (retention-full)";
        String diffRule = " (retention-diff)";
        for (BackupManifest b : backups) {
            Link link = links.get(b.label());
            if (!link.restorable()) {
                continue;
            }
            String full = link.chain().getLast();
            Optional<String> thinned = link.chain().stream().filter(l -> diffs.contains(l) && !keptDiffs.contains(l))
                    .findFirst();
            boolean isFull = full.equals(b.label());
            if (!keptFulls.contains(full)) {
                String older = "older than " + theNewest(policy.full(), "full backup") + fullRule;
                expireWhy(b, isFull ? older : "builds on full " + full + ", which expires: " + older);
            } else if (thinned.isPresent()) {
                String older = "older than " + theNewest(policy.diff(), "differential backup") + diffRule;
                expireWhy(b, thinned.get().equals(b.label()) ? older
                        : "builds on differential " + thinned.get() + ", which expires: " + older);
            } else {
                String newest = oneOfTheNewest(policy.full(), "full backup") + fullRule;
                keepWhy(b, isFull ? newest : "builds on full " + full + ", " + newest);
                if (policy.diff() > 0 && b.backupType() == BackupType.DIFF) {
                    keepWhy(b, oneOfTheNewest(policy.diff(), "differential backup") + diffRule);
                }
            }
        }
    }

    private void windowRule(Instant windowStart) {
        BackupManifest anchor = null;
        for (BackupManifest b : backups) {
            if (links.get(b.label()).restorable() && b.stopInstant().isBefore(windowStart)) {
                anchor = b;
            }
        }
        for (BackupManifest b : backups) {
            if (!links.get(b.label()).restorable()) {
                continue;
            }
            if (anchor == null) {
                keepWhy(b, "no restorable backup stopped before the window's start " + windowStart
                        + ", so every one is kept");
            } else if (b.label().equals(anchor.label())) {
                keepWhy(b, "the newest backup that stopped before the window's start " + windowStart
                        + ": recovery to the window's first moments starts from it");
            } else if (b.label().compareTo(anchor.label()) > 0) {
                keepWhy(b, "newer than the window's start " + windowStart);
            } else {
                expireWhy(b, "backup " + anchor.label() + " already covers the window from " + windowStart);
            }
        }
    }

    /** Every backup in the chain of a backup a rule keeps is kept: a restore of the kept one reads it. */
    private void keepChains() {
        for (String label : keepWhy.keySet()) {
            List<String> chain = links.get(label).chain();
            for (int i = 1; i < chain.size(); i++) {
                referenceOf.computeIfAbsent(chain.get(i), l -> new TreeSet<>()).add(chain.get(i - 1));
            }
        }
    }

    private Result result() {
        List<BackupManifest> keptRestorable = backups.stream().filter(this::keptRestorable).toList();
        String oldestKept = keptRestorable.isEmpty() ? null : keptRestorable.getFirst().label();
        List<Decision> decisions = new ArrayList<>();
        for (BackupManifest b : backups) {
            Link link = links.get(b.label());
            if (link.restorable()) {
                boolean keep = keptRestorable(b);
                decisions.add(new Decision(b, keep, keep ? keepReason(b) : String.join("; ",
                        expireWhy.getOrDefault(b.label(), Set.of()))));
            } else if (oldestKept == null) {
                decisions.add(new Decision(b, true, link.broken() + ": it cannot be restored (walstow verify reports "
                        + "it); kept, as no backup that can be restored is kept"));
            } else if (b.label().compareTo(oldestKept) > 0) {
                decisions.add(new Decision(b, true, link.broken() + ": it cannot be restored (walstow verify reports "
                        + "it); kept while it is newer than the oldest kept backup " + oldestKept));
            } else {
                decisions.add(new Decision(b, false, link.broken() + ": it cannot be restored, and is older than the "
                        + "oldest kept backup " + oldestKept));
            }
        }
        return new Result(decisions, keptRestorable.stream().min(Comparator.comparing(BackupManifest::start)));
    }

    private boolean keptRestorable(BackupManifest b) {
        return keepWhy.containsKey(b.label()) || referenceOf.containsKey(b.label());
    }

    private String keepReason(BackupManifest b) {
        List<String> why = new ArrayList<>(keepWhy.getOrDefault(b.label(), Set.of()));
        Set<String> dependents = referenceOf.get(b.label());
        if (dependents != null) {
            List<String> named = dependents.stream().limit(NAMED).toList();
            why.add("reference of " + String.join(", ", named) + (dependents.size() > NAMED ? " and "
                    + (dependents.size() - NAMED) + " more" : "") + ": restoring "
                    + (dependents.size() == 1 ? "it" : "them") + " needs this backup");
        }
        return String.join("; ", why);
    }

    private void keepWhy(BackupManifest b, String reason) {
        keepWhy.computeIfAbsent(b.label(), l -> new LinkedHashSet<>()).add(reason);
    }

    private void expireWhy(BackupManifest b, String reason) {
        expireWhy.computeIfAbsent(b.label(), l -> new LinkedHashSet<>()).add(reason);
    }

    /** Labels of the restorable backups of {@code type}, oldest first. */
    private List<String> restorable(BackupType type) {
        return backups.stream().filter(b -> b.backupType() == type && links.get(b.label()).restorable())
                .map(BackupManifest::label).toList();
    }

    private static List<String> newest(List<String> labels, int n) {
        return labels.subList(Math.max(0, labels.size() - n), labels.size());
    }

    private static String theNewest(int n, String what) {
        return n == 1 ? "the newest " + what : "the newest " + n + " " + what + "s";
    }

    private static String oneOfTheNewest(int n, String what) {
        return n == 1 ? "the newest " + what : "one of " + theNewest(n, what);
    }

    /**
     * The manifest without its file list, for {@link BackupChain#of}: which backups a restore reads is all expire
     * needs, and checking every file of every chain would cost backups × files × chain length on each run.
     */
    private static BackupManifest withoutFiles(BackupManifest m) {
        return new BackupManifest(m.format(), m.label(), m.systemIdentifier(), m.pgVersionNum(), m.timeline(),
                m.startLsn(), m.stopLsn(), m.startTime(), m.stopTime(), m.walSegmentSize(), m.codec(),
                m.backupLabel(), m.tablespaceMap(), m.tablespaces(), m.directories(), List.of(), m.tablespaceNames(),
                m.type(), m.reference(), m.blockSize(), m.changesFrom(), m.stats(), m.dataChecksums());
    }
}
