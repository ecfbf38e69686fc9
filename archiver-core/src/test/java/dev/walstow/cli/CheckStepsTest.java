package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.config.ConfigLoader;
import dev.walstow.config.WalstowConfig;
import dev.walstow.guard.GuardSql;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** walstow check's steps that decide between waiting and naming a cause at once. */
class CheckStepsTest {
    private static final String SEGMENT = "000000010000000000000007";

    private final StringWriter text = new StringWriter();
    private final FakeClock clock = new FakeClock();
    private final CheckSteps steps = new CheckSteps(new PrintWriter(text), clock);
    private final Repository repository = new Repository(new InMemoryObjectStore());
    private final ArchiverSql sql = new ArchiverSql();

    @Test
    @DisplayName("when PostgreSQL reports archive_command failed, check fails at once with the cause, instead of "
            + "waiting out its timeout")
    void failedArchiveCommandEndsTheWait() throws InterruptedException {
        sql.failAfterPolls = 2;

        steps.switchAndWait(sql, repository, Duration.ofSeconds(60), name -> "cause of " + name, "look elsewhere");

        assertThat(steps.failures()).isEqualTo(1);
        assertThat(text.toString()).contains("FAIL forced a segment switch, but PostgreSQL's archive_command failed "
                + "for " + SEGMENT + " (pg_stat_archiver.failed_count rose by 1): cause of " + SEGMENT)
                .doesNotContain("look elsewhere");
        assertThat(clock.sleeps).isLessThanOrEqualTo(2); // not 300 rounds of 200 ms
    }

    @Test
    @DisplayName("when PostgreSQL reports the segment archived but the repository lacks it, check says it went "
            + "elsewhere, at once")
    void archivedElsewhere() throws InterruptedException {
        sql.lastArchived = Optional.of(SEGMENT);

        steps.switchAndWait(sql, repository, Duration.ofSeconds(60), name -> "unused", "look elsewhere");

        assertThat(text.toString()).contains("PostgreSQL reports " + SEGMENT + " archived, but it is not in",
                "archive_command stores it elsewhere");
        assertThat(clock.sleeps).isZero();
    }

    @Test
    @DisplayName("a segment that reaches the repository passes")
    void arrives() throws Exception {
        repository.store().putIfAbsent(RepositoryLayout.keyOf(WalFileName.parse(SEGMENT)), new byte[1],
                ObjectMeta.ofPlain(new byte[1]));

        steps.switchAndWait(sql, repository, Duration.ofSeconds(60), name -> "unused", "look elsewhere");

        assertThat(steps.failures()).isZero();
        assertThat(text.toString()).contains("ok   forced a segment switch: " + SEGMENT + " reached the repository");
    }

    @Test
    @DisplayName("with neither an arrival nor a reported failure, the wait ends at its timeout with the hint given")
    void timesOut() throws InterruptedException {
        steps.switchAndWait(sql, repository, Duration.ofSeconds(2), name -> "unused", "look in PostgreSQL's log");

        assertThat(text.toString()).contains("was not in " + repository.location() + " after 2 s HINT: look in "
                + "PostgreSQL's log");
    }

    @Test
    @DisplayName("with no daemon running, check says at once that archiving works in-process")
    void noDaemon() {
        boolean runs = steps.daemon(DaemonStatusClient.ask(new WalstowConfig.MetricsConfig(true, "127.0.0.1", 1)));

        assertThat(runs).isFalse();
        assertThat(text.toString()).startsWith("skip daemon RPO exposure: no daemon running (archiving works "
                + "in-process, slower)");
        assertThat(steps.failures()).isZero();
    }

    @Test
    @DisplayName("a recipient that is not a key makes the keys step fail, naming the file")
    void keysStepNamesTheCause(@TempDir Path dir) throws IOException {
        Path garbage = Files.writeString(dir.resolve("archive.pub.asc"), "not a key\n");
        WalstowConfig cfg = ConfigLoader.parse(Path.of("/tmp/walstow.toml"), """
                [repository]
                path = "/tmp/unused"
                [encryption]
                recipient = "%s"
                """.formatted(garbage));

        assertThat(steps.keys(cfg)).isFalse();
        assertThat(text.toString()).startsWith("FAIL keys: [WS-CONFIG] Key file " + garbage);
    }

    /** Time that passes only when check sleeps. */
    private static final class FakeClock implements CheckSteps.Clock {
        long now;
        int sleeps;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            sleeps++;
            now += d.toNanos();
        }
    }

    /** A server whose switch closes {@link #SEGMENT} and whose archiver fails it after some polls, if told to. */
    private static final class ArchiverSql implements GuardSql {
        int failAfterPolls = -1;
        Optional<String> lastArchived = Optional.empty();
        private int polls;

        @Override
        public Archiver archiver() {
            boolean failed = failAfterPolls >= 0 && polls++ >= failAfterPolls;
            return new Archiver(3, lastArchived, failed ? 1 : 0, failed ? Optional.of(SEGMENT) : Optional.empty());
        }

        @Override
        public Lsn switchWal() {
            return new Lsn(8L << 24);
        }

        @Override
        public String walFileName(Lsn endOfSegment) {
            return SEGMENT;
        }

        @Override
        public void writeMarker() {}

        @Override
        public Position position() {
            return new Position(false, Optional.of(new Lsn(8L << 24)), new TimelineId(1), WalSegmentSize.DEFAULT);
        }

        @Override
        public Settings settings() {
            return new Settings("on", 60, "walstow archive-push %p", "", "replica", false, true, 1);
        }

        @Override
        public Optional<Path> dataDirectory() {
            return Optional.empty();
        }

        @Override
        public void close() {}
    }
}
