package dev.walstow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.metrics.ArchiveState;
import dev.walstow.metrics.WalstowMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RpoGuardTest {
    private static final Duration RPO = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final long MIB = FakeSql.SIZE.bytes();

    private final MutableClock clock = new MutableClock(T0);
    private final FakeSql sql = new FakeSql(5 * MIB);
    private final FakeBacklog pgWal = new FakeBacklog();
    private final WalstowMetrics metrics = new WalstowMetrics();
    private final RpoGuard guard = new RpoGuard(RPO, Optional.of(sql), pgWal, clock, metrics);

    private ArchiveState tickAfter(Duration d) {
        clock.advance(d);
        return guard.tick();
    }

    @Test
    @DisplayName("a small write on a quiet server is switched out once it has waited half the RPO, not before")
    void switchesAtHalfTheRpo() {
        assertThat(guard.tick().exposureSeconds()).isZero();
        sql.write(100);
        for (int s = 1; s <= 4; s++) {
            assertThat(tickAfter(Duration.ofSeconds(1)).exposureSeconds()).isEqualTo(s);
        }
        assertThat(sql.switches).isZero();
        tickAfter(Duration.ofSeconds(1));
        assertThat(sql.switches).isOne();
        assertThat(sql.segment()).isEqualTo(6);
        assertThat(metrics.scrape()).contains("walstow_wal_switches_total 1.0");
    }

    @Test
    @DisplayName("after the switch the exposure keeps counting from the write until the segment is archived")
    void exposureCountsUntilArchived() {
        guard.tick();
        sql.write(100);
        for (int s = 0; s < 5; s++) {
            tickAfter(Duration.ofSeconds(1));
        }
        pgWal.completed(5, clock.instant()); // PostgreSQL marks the switched segment .ready
        assertThat(tickAfter(Duration.ofSeconds(1)).exposureSeconds()).isEqualTo(6);
        assertThat(sql.switches).as("an empty segment is never switched again").isOne();
        pgWal.archive(5);
        assertThat(tickAfter(Duration.ofSeconds(1)).exposureSeconds()).isZero();
    }

    @Test
    @DisplayName("a server with no WAL since the last switch has no exposure and is never switched")
    void idleServerIsLeftAlone() {
        for (int s = 0; s < 100; s++) {
            assertThat(tickAfter(Duration.ofSeconds(1)).exposureSeconds()).isZero();
        }
        assertThat(sql.switches).isZero();
    }

    @Test
    @DisplayName("with the store down the exposure passes the RPO: breached gauge 1, one breach counted, then held again")
    void storeDownBreachesTheRpo() {
        guard.tick();
        for (int s = 1; s <= 15; s++) {
            sql.write(MIB); // a busy server fills a segment a second; none gets archived
            pgWal.completed(sql.segment() - 1, clock.instant().plusSeconds(1));
            tickAfter(Duration.ofSeconds(1));
        }
        ArchiveState state = guard.tick();
        assertThat(state.exposureSeconds()).isEqualTo(15);
        assertThat(state.breached()).isTrue();
        assertThat(state.backlogSegments()).isEqualTo(15);
        assertThat(metrics.scrape()).contains("walstow_rpo_breached 1.0", "walstow_rpo_breaches_total 1.0",
                "walstow_rpo_exposure_seconds 15.0", "walstow_backlog_segments 15.0");

        pgWal.ready.clear(); // the store is back and the backlog drains
        ArchiveState after = tickAfter(Duration.ofSeconds(1));
        assertThat(after.breached()).isFalse();
        assertThat(after.exposureSeconds()).isLessThanOrEqualTo(2);
        assertThat(metrics.scrape()).contains("walstow_rpo_breached 0.0", "walstow_rpo_breaches_total 1.0");
    }

    @Test
    @DisplayName("without SQL the exposure is the age of the oldest .ready file and nothing is switched")
    void sqlDownFallsBackToPgWal() {
        sql.down = true;
        pgWal.completed(3, T0);
        ArchiveState state = tickAfter(Duration.ofSeconds(20));
        assertThat(state.exposureSeconds()).isEqualTo(20);
        assertThat(state.guardConnected()).isFalse();
        assertThat(state.guardNote()).contains("cannot query PostgreSQL");
        assertThat(sql.switches).isZero();
        assertThat(metrics.scrape()).contains("walstow_guard_connected 0.0");
    }

    @Test
    @DisplayName("a standby is never switched")
    void standbyIsNotSwitched() {
        sql.inRecovery = true;
        for (int s = 0; s < 30; s++) {
            tickAfter(Duration.ofSeconds(1));
        }
        assertThat(sql.switches).isZero();
    }

    @Test
    @DisplayName("a role that may not switch segments is reported and the guard keeps measuring")
    void switchRefusedIsReported() {
        sql.maySwitch = false;
        guard.tick();
        sql.write(100);
        ArchiveState state = null;
        for (int s = 0; s < 12; s++) {
            state = tickAfter(Duration.ofSeconds(1));
        }
        assertThat(state.guardNote()).contains("cannot switch segments");
        assertThat(state.exposureSeconds()).isEqualTo(12);
        assertThat(state.breached()).isTrue();
    }

    @Test
    @DisplayName("WAL written before the daemon started counts from the previous segment's completion")
    void seedsFromFileTimes() {
        sql.write(100);
        pgWal.mtimes.put(FakeBacklog.name(4), T0.minusSeconds(30));
        ArchiveState state = guard.tick();
        assertThat(state.exposureSeconds()).isEqualTo(30);
        assertThat(sql.switches).isOne();
    }

    @Test
    @DisplayName("the WAL rate is measured from the positions seen")
    void walRate() {
        guard.tick();
        for (int s = 0; s < 10; s++) {
            sql.write(MIB);
            pgWal.completed(sql.segment() - 1, clock.instant());
            pgWal.archive(sql.segment() - 1);
            tickAfter(Duration.ofSeconds(1));
        }
        assertThat(guard.tick().walBytesPerSecond()).isEqualTo(MIB);
    }
}
