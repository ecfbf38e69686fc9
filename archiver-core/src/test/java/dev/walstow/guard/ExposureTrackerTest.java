package dev.walstow.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExposureTrackerTest {
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    @DisplayName("a segment's first write is dated at the observation before the one that found it")
    void conservativeDating() {
        ExposureTracker t = new ExposureTracker();
        t.observe(1, 4, T0, T0.minusSeconds(100));
        t.observe(1, 4, T0.plusSeconds(1), T0);
        t.observe(1, 7, T0.plusSeconds(2), T0);
        assertThat(t.firstWrite(5)).contains(T0.plusSeconds(1));
        assertThat(t.firstWrite(7)).contains(T0.plusSeconds(1));
        assertThat(t.firstWrite(4)).contains(T0.minusSeconds(100));
        assertThat(t.firstWrite(8)).isEmpty();
    }

    @Test
    @DisplayName("memory stays bounded during a long outage, and merging never makes WAL look younger")
    void boundedAndConservative() {
        ExposureTracker t = new ExposureTracker();
        int n = ExposureTracker.MAX_ENTRIES + 50;
        for (int i = 0; i < n; i++) {
            t.observe(1, i, T0.plusSeconds(i), T0.plusSeconds(i));
        }
        assertThat(t.entries()).isLessThanOrEqualTo(ExposureTracker.MAX_ENTRIES);
        assertThat(t.firstWrite(0)).contains(T0);
        assertThat(t.firstWrite(n - 1)).contains(T0.plusSeconds(n - 2));
    }

    @Test
    @DisplayName("archived segments are forgotten; a new timeline starts afresh")
    void forgetting() {
        ExposureTracker t = new ExposureTracker();
        t.observe(1, 3, T0, T0);
        t.observe(1, 5, T0.plusSeconds(1), T0);
        t.archivedBefore(5);
        assertThat(t.entries()).isOne();
        t.observe(2, 6, T0.plusSeconds(2), T0.plusSeconds(2));
        assertThat(t.firstWrite(5)).contains(T0.plusSeconds(2));
    }
}
