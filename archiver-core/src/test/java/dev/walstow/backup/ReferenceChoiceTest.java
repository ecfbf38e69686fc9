package dev.walstow.backup;

import static dev.walstow.backup.Manifests.full;
import static dev.walstow.backup.Manifests.incremental;
import static dev.walstow.backup.Manifests.of;
import static dev.walstow.backup.Manifests.whole;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.catalog.TimelineHistory;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReferenceChoiceTest {
    static final String F = BackupChainTest.F;
    static final String I1 = BackupChainTest.I1;
    static final String FILE = BackupChainTest.FILE;
    static final TimelineHistory ONE = TimelineHistory.root(new TimelineId(1));

    private final BackupManifest full = full(F, 1, "0/1000000", whole(F, FILE, 8192));
    private final BackupManifest incr = of(BackupType.INCR, I1, F, "0/2000000", incremental(I1, FILE, 8192));

    @Test
    @DisplayName("without --type: a full when there is nothing to build on, then an incremental of the newest backup")
    void defaults() {
        ReferenceChoice.Decision first = decide(Optional.empty(), List.of(), ONE);
        assertThat(first.type()).isEqualTo(BackupType.FULL);
        assertThat(first.why()).contains("no earlier backup");
        ReferenceChoice.Decision next = decide(Optional.empty(), List.of(full, incr), ONE);
        assertThat(next.type()).isEqualTo(BackupType.INCR);
        assertThat(next.reference().orElseThrow().newest().label()).isEqualTo(I1);
        assertThat(next.why()).contains(I1);
    }

    @Test
    @DisplayName("a differential builds on the newest full, whatever was taken since")
    void differential() {
        ReferenceChoice.Decision d = decide(Optional.of(BackupType.DIFF), List.of(full, incr), ONE);
        assertThat(d.type()).isEqualTo(BackupType.DIFF);
        assertThat(d.reference().orElseThrow().newest().label()).isEqualTo(F);
    }

    @Test
    @DisplayName("a reference from another major version, timeline branch or checksum setting, or a broken chain, gives a full")
    void unusableReferences() {
        BackupManifest upgraded = new BackupManifest(full.format(), full.label(), full.systemIdentifier(), 140010,
                1, full.startLsn(), full.stopLsn(), full.startTime(), full.stopTime(), full.walSegmentSize(),
                full.codec(), full.backupLabel(), null, full.tablespaces(), full.directories(), full.files());
        ReferenceChoice.Decision major = decide(Optional.of(BackupType.INCR), List.of(upgraded), ONE);
        assertThat(major.type()).isEqualTo(BackupType.FULL);
        assertThat(major.why()).contains("PostgreSQL 14");

        // Timeline 2 branched off timeline 1 at 0/1800000: a backup on 1 that stopped later is not our history.
        TimelineHistory two = TimelineHistory.parse(new TimelineId(2), "1\t0/1800000\tno recovery target\n");
        ReferenceChoice.Decision branch = decide(Optional.empty(), List.of(full, incr), two);
        assertThat(branch.type()).isEqualTo(BackupType.FULL);
        assertThat(branch.why()).contains("timeline");
        ReferenceChoice.Decision before = decide(Optional.of(BackupType.DIFF), List.of(full, incr), two);
        assertThat(before.type()).as("the full stopped before the branch point").isEqualTo(BackupType.DIFF);

        ReferenceChoice.Decision checksums = ReferenceChoice.decide(Optional.empty(), List.of(full),
                new ReferenceChoice.Server(Manifests.SYSTEM, 150004, ONE, Lsn.parse("0/9000000"), true));
        assertThat(checksums.type()).as("pg_checksums --enable since the full").isEqualTo(BackupType.FULL);
        assertThat(checksums.why()).contains("data checksums were off then and are on now");

        ReferenceChoice.Decision broken = decide(Optional.empty(), List.of(incr), ONE);
        assertThat(broken.type()).isEqualTo(BackupType.FULL);
        assertThat(broken.why()).contains("broken");
    }

    @Test
    @DisplayName("--type full is always a full")
    void explicitFull() {
        assertThat(decide(Optional.of(BackupType.FULL), List.of(full), ONE).type()).isEqualTo(BackupType.FULL);
    }

    private static ReferenceChoice.Decision decide(Optional<BackupType> type, List<BackupManifest> backups,
            TimelineHistory history) {
        return ReferenceChoice.decide(type, backups, new ReferenceChoice.Server(Manifests.SYSTEM, 150004, history,
                Lsn.parse("0/9000000"), false));
    }
}
