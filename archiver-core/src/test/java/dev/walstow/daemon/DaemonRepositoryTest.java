package dev.walstow.daemon;

import static dev.walstow.daemon.DaemonFixture.assertOk;
import static dev.walstow.daemon.DaemonFixture.await;
import static dev.walstow.daemon.TestWal.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.XLogLongPageHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the daemon asks of its repository: the binding once, and bounded attempts repeated by one retry layer. */
class DaemonRepositoryTest {
    @TempDir
    Path temp;
    private DaemonFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("the daemon reads repository.json once, at start, not per segment it pushes or fetches")
    void bindingReadOnce() throws Exception {
        f = new DaemonFixture(temp);
        Files.createFile(f.data.resolve("recovery.signal"));
        for (int i = 1; i <= 8; i++) {
            f.ready(seg(1, i), 2);
        }
        int before = f.store.calls(RepositoryLayout.BINDING_KEY);

        f.start(2, 2);
        await("backlog pushed", Duration.ofSeconds(20),
                () -> Files.isDirectory(f.layout.pushedDirectory())
                        && f.layout.pushedDirectory().toFile().list().length == 8);
        assertOk(f.push(seg(1, 8)));
        for (int i = 1; i <= 8; i++) {
            assertOk(f.get(seg(1, i), "RECOVERYXLOG"));
        }
        assertThat(f.get(seg(1, 20), "RECOVERYXLOG").status()).isEqualTo(Reply.Status.NOT_FOUND);

        assertThat(f.store.puts).as("segments stored").hasSize(8);
        assertThat(f.store.calls(RepositoryLayout.BINDING_KEY) - before).as("GETs of repository.json").isEqualTo(1);
    }

    @Test
    @DisplayName("a hanging store: each attempt is given up after operation-timeout, and the one retry layer makes "
            + "[retry] attempts in all before the failure is recorded")
    void attemptsBoundedAndRetriedOnce() throws Exception {
        f = new DaemonFixture(temp);
        SegmentName seg = seg(1, 1);
        String key = f.key(seg);
        f.store.hold(0);
        f.ready(seg, 1);
        WalstowConfig c = DaemonFixture.config(2, 0);
        Duration operationTimeout = Duration.ofMillis(300);
        int attempts = c.retry().attempts();
        // Two upload threads: the stalled first attempt does not keep the second from reaching the store.
        DaemonConfig d = new DaemonConfig(2, 0, c.daemon().waitTimeout(), operationTimeout,
                c.daemon().negativeCacheTtl(), List.of(), DaemonConfig.Fallback.IN_PROCESS,
                c.daemon().shutdownTimeout());

        long start = System.nanoTime();
        f.start(new WalstowConfig(c.source(), c.repository(), c.compression(), c.encryption(), c.postgres(),
                c.retry(), d, c.backup(), c.metrics(), c.guard(), c.log()));
        Path failed = f.layout.failed(seg.fileName());
        await("failure recorded", Duration.ofSeconds(10), () -> Files.exists(failed));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(attempts).as("the fixture's [retry] attempts").isEqualTo(2);
        assertThat(f.store.calls(key)).as("puts of the segment").isEqualTo(attempts);
        assertThat(took).isGreaterThanOrEqualTo(operationTimeout.multipliedBy(attempts));
        assertThat(Files.readString(failed)).contains("STORAGE", "operation timed out");
        assertThat(f.layout.pushed(seg.fileName())).doesNotExist();
        // let the abandoned attempts end before the temporary directory goes
        f.store.release();
        await("abandoned puts ended", Duration.ofSeconds(5), () -> f.store.putsFinished.get() >= attempts);
    }

    @Test
    @DisplayName("a repository re-initialised for another cluster under a running daemon: the first WAL file of that "
            + "cluster re-reads the binding, is archived against it, and the daemon asks once for a restart")
    void reinitialisedRepositoryAsksForRestart() throws Exception {
        f = new DaemonFixture(temp);
        f.start(1, 0);
        AtomicInteger restarts = new AtomicInteger();
        f.daemon().onConfigurationChange(restarts::incrementAndGet);
        ClusterIdentity other = new ClusterIdentity(42, 15, TestWal.SIZE);
        f.store.delete(RepositoryLayout.BINDING_KEY);
        f.repository.writeBinding(RepositoryBinding.of(other, "2026-06-01T00:00:00Z", "test"));
        int before = f.store.calls(RepositoryLayout.BINDING_KEY);

        SegmentName seg = seg(1, 1);
        byte[] wal = TestWal.segment(seg, 1);
        XLogLongPageHeader.firstPageOf(seg, other).writeTo(wal);
        Files.write(f.pgWal(seg.fileName()), wal);
        Files.createFile(f.pgWal("archive_status/" + seg.fileName() + ".ready"));

        assertOk(f.push(seg));
        await("restart asked", Duration.ofSeconds(5), () -> restarts.get() == 1);
        assertThat(f.store.calls(RepositoryLayout.BINDING_KEY) - before).as("GETs of repository.json").isEqualTo(1);
        Thread.sleep(300);
        assertThat(restarts).as("once").hasValue(1);
    }
}
