package dev.walstow.expire;

import static dev.walstow.expire.SyntheticRepository.T1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.archive.Retrier;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.backup.BackupChain;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.TimelineHistory;
import dev.walstow.catalog.WalCatalog;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.LockConflict;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.Repository;
import dev.walstow.restore.RecoveryTarget;
import dev.walstow.restore.RestorePlan;
import dev.walstow.storage.ForwardingObjectStore;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.SegmentName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExpireRunTest {
    private static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");
    // The window starts just after c's stop: a and b go, c and d stay.
    private static final RetentionPolicy POLICY = new RetentionPolicy(0, Duration.ofDays(4).minusSeconds(1),
            Duration.ofDays(1));
    private static final Retrier ONCE = new Retrier(new RetryConfig(1, Duration.ofMillis(1), Duration.ofMillis(1)));

    @Test
    @DisplayName("expire deletes exactly what the plan names, and a restore to the window's start still checks out")
    void deletesThePlanAndKeepsTheWindowRecoverable() throws Exception {
        SyntheticRepository repo = fourBackups();
        List<String> before = repo.keys("");
        ExpirePlan plan = ExpirePlanner.plan(repo.repository, POLICY, NOW);

        ExpireRun.Outcome outcome = new ExpireRun(repo.repository, ONCE, 3).execute(plan);

        assertThat(outcome.backups()).isEqualTo(2);
        assertThat(outcome.walFiles()).isEqualTo(16);
        List<String> deleted = new ArrayList<>(before);
        deleted.removeAll(repo.keys(""));
        assertThat(deleted).hasSize(plan.objectCount()).allSatisfy(k -> assertThat(
                k.startsWith(BackupLayout.directory(plan.expired().get(0).label()))
                        || k.startsWith(BackupLayout.directory(plan.expired().get(1).label()))
                        || k.startsWith("wal/")).isTrue());
        assertThat(ExpirePlanner.plan(repo.repository, POLICY, NOW).nothingToDo()).isTrue();

        List<BackupManifest> left = BackupCatalog.load(repo.repository);
        WalCatalog catalog = WalCatalog.load(repo.repository, SyntheticRepository.SIZE);
        Instant windowStart = NOW.minus(POLICY.window());
        RestorePlan restore = RestorePlan.make(left, catalog, new RecoveryTarget(RecoveryTarget.Kind.TIME,
                windowStart.toString(), "latest", Optional.empty()), Optional.empty(), TimelineHistory::root);
        assertThat(restore.backup().label()).isEqualTo(left.getFirst().label());
    }

    @Test
    @DisplayName("an expire interrupted after any number of deletions never leaves a backup that looks complete but is not")
    void interruptedExpireNeverLeavesAFalseBackup() throws Exception {
        int total = ExpirePlanner.plan(fourBackups().repository, POLICY, NOW).objectCount();
        for (int allowed = 0; allowed < total; allowed++) {
            SyntheticRepository repo = interrupted(fourBackups(), POLICY, allowed);

            for (BackupManifest m : BackupCatalog.load(repo.repository)) {
                for (BackupManifest.StoredPart p : m.allParts()) {
                    assertThat(repo.store.head(p.key())).as("after %d deletions, %s of %s", allowed, p.key(),
                            m.label()).isPresent();
                }
                WalCatalog wal = WalCatalog.load(repo.repository, SyntheticRepository.SIZE);
                long from = m.start().segmentNumber(SyntheticRepository.SIZE);
                assertThat(wal.firstMissing(TimelineHistory.root(T1), from, 0x20)).as("after %d deletions", allowed)
                        .isEmpty();
            }
            // Running it again finishes the job.
            new ExpireRun(repo.repository, ONCE, 2).execute(ExpirePlanner.plan(repo.repository, POLICY, NOW));
            assertThat(ExpirePlanner.plan(repo.repository, POLICY, NOW).nothingToDo()).isTrue();
            assertThat(BackupCatalog.load(repo.repository)).hasSize(2);
        }
    }

    @Test
    @DisplayName("an expire of a chain interrupted after any number of deletions never leaves a backup whose chain is "
            + "broken: the incrementals go before the full they build on")
    void interruptedChainExpireNeverBreaksAChain() throws Exception {
        RetentionPolicy full1 = new RetentionPolicy(1, Duration.ZERO, Duration.ofDays(1));
        int total = ExpirePlanner.plan(twoChains().repository, full1, NOW).objectCount();
        for (int allowed = 0; allowed < total; allowed++) {
            SyntheticRepository repo = interrupted(twoChains(), full1, allowed);

            List<BackupManifest> left = BackupCatalog.load(repo.repository);
            for (BackupManifest m : left) {
                assertThatCode(() -> BackupChain.of(m, l -> left.stream().filter(b -> b.label().equals(l))
                        .findFirst())).as("after %d deletions, the chain of %s", allowed, m.label())
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    @DisplayName("an expire whose lock is lost stops before its next deletion")
    void lostLockStopsDeleting() throws Exception {
        SyntheticRepository repo = fourBackups();
        ExpirePlan plan = ExpirePlanner.plan(repo.repository, POLICY, NOW);
        List<String> before = repo.keys("");
        AtomicInteger checks = new AtomicInteger();
        LockConflict lost = new LockConflict("this expire lost the repository lock", "run it again");

        assertThatThrownBy(() -> new ExpireRun(repo.repository, ONCE, 1).execute(plan, () -> {
            if (checks.incrementAndGet() > 3) {
                throw lost;
            }
        })).isSameAs(lost);

        List<String> deleted = new ArrayList<>(before);
        deleted.removeAll(repo.keys(""));
        assertThat(deleted).hasSize(3);
    }

    private static SyntheticRepository fourBackups() {
        SyntheticRepository repo = new SyntheticRepository();
        repo.backup(T1, 0x02, 0x03, "2026-01-02T00:00:00Z");
        repo.backup(T1, 0x08, 0x09, "2026-01-04T00:00:00Z");
        repo.backup(T1, 0x10, 0x11, "2026-01-06T00:00:00Z");
        repo.backup(T1, 0x18, 0x19, "2026-01-08T00:00:00Z");
        repo.segments(T1, 0x02, 0x20);
        assertThat(SegmentName.of(T1, 0x20, SyntheticRepository.SIZE).fileName())
                .isEqualTo("000000010000000000000020");
        return repo;
    }

    /** {@code repo} after an expire of {@code policy} whose store failed once {@code allowed} deletions were done. */
    private static SyntheticRepository interrupted(SyntheticRepository repo, RetentionPolicy policy, int allowed) {
        Repository failing = new Repository(new FailingDeletes(repo.store, allowed));
        ExpirePlan plan = ExpirePlanner.plan(failing, policy, NOW);
        assertThatThrownBy(() -> new ExpireRun(failing, ONCE, 2).execute(plan)).isInstanceOf(WalstowException.class);
        return repo;
    }

    private static SyntheticRepository twoChains() {
        SyntheticRepository repo = new SyntheticRepository();
        repo.twoChains();
        return repo;
    }

    /** A store whose deletes fail (as a lost connection would) once {@code allowed} have succeeded. */
    private static final class FailingDeletes extends ForwardingObjectStore {
        private final AtomicInteger left;

        FailingDeletes(ObjectStore d, int allowed) {
            super(d);
            this.left = new AtomicInteger(allowed);
        }

        @Override
        public boolean delete(String key) throws StorageException {
            if (left.getAndDecrement() <= 0) {
                throw new StorageException(StorageException.Kind.IO, "delete " + key + ": connection lost", null);
            }
            return delegate.delete(key);
        }
    }
}
