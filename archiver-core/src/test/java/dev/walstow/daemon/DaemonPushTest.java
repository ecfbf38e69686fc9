package dev.walstow.daemon;

import static dev.walstow.daemon.DaemonFixture.assertOk;
import static dev.walstow.daemon.DaemonFixture.await;
import static dev.walstow.daemon.TestWal.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.wal.BackupHistoryName;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonPushTest {
    @TempDir
    Path temp;
    private DaemonFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("a backlog of 64 .ready segments drains; every one verifies in the repository and has its marker")
    void backlogDrains() throws Exception {
        f = new DaemonFixture(temp);
        Map<SegmentName, byte[]> written = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 64; i++) {
            written.put(seg(1, i), f.ready(seg(1, i), 7));
        }
        f.start(4, 0);
        await("64 markers in pushed/", Duration.ofSeconds(30),
                () -> f.layout.pushedDirectory().toFile().list().length == 64);
        for (var e : written.entrySet()) {
            assertThat(f.restore(e.getKey())).as(e.getKey().fileName()).hasValueSatisfying(
                    bytes -> assertThat(bytes).isEqualTo(e.getValue()));
            Path marker = f.layout.pushed(e.getKey().fileName());
            assertThat(Files.getLastModifiedTime(marker))
                    .isEqualTo(Files.getLastModifiedTime(f.pgWal(e.getKey().fileName())));
        }
        assertThat(f.layout.failedDirectory()).isEmptyDirectory();
    }

    @Test
    @DisplayName("a backlog is archived in PostgreSQL's order: history files, then by name (partial segment and "
            + "backup history file right after their segment)")
    void oldestFirst() {
        f = new DaemonFixture(temp);
        BackupHistoryName backup = new BackupHistoryName(seg(1, 0x100), 0x28);
        List<WalFileName> names = new ArrayList<>(List.of(seg(1, 0x1FF), seg(1, 3), seg(2, 0x200), seg(1, 0x100),
                new HistoryName(new TimelineId(2)), new PartialName(seg(1, 0x200)), backup, seg(1, 0x101)));
        Collections.shuffle(names, new Random(42));
        names.forEach(n -> f.ready(n, 1));
        f.start(1, 0);
        await("all pushed", Duration.ofSeconds(20), () -> f.store.puts.size() == 8);
        assertThat(f.store.puts).containsExactly(f.key(new HistoryName(new TimelineId(2))), f.key(seg(1, 3)),
                f.key(seg(1, 0x100)), f.key(backup), f.key(seg(1, 0x101)), f.key(seg(1, 0x1FF)),
                f.key(new PartialName(seg(1, 0x200))), f.key(seg(2, 0x200)));
    }

    @Test
    @DisplayName("PUSH of a segment whose marker matches is answered OK without asking the repository")
    void durableAnswersAtOnce() {
        f = new DaemonFixture(temp);
        f.ready(seg(1, 1), 1);
        f.start(1, 0);
        await("pushed", Duration.ofSeconds(10), () -> Files.exists(f.layout.pushed(seg(1, 1).fileName())));
        int before = f.store.totalCalls();

        assertOk(f.push(seg(1, 1)));
        assertThat(f.store.totalCalls()).isEqualTo(before);
    }

    @Test
    @DisplayName("PUSH of a segment being uploaded waits for that upload and answers its outcome")
    void waitsForInFlight() throws Exception {
        f = new DaemonFixture(temp);
        f.store.hold(0);
        f.ready(seg(1, 1), 1);
        f.start(1, 0);
        await("upload started (the put, a push's only store call, is at the gate)", Duration.ofSeconds(10),
                () -> f.store.calls(f.key(seg(1, 1))) >= 1);

        CompletableFuture<Reply> reply = CompletableFuture.supplyAsync(() -> f.push(seg(1, 1)));
        Thread.sleep(200);
        assertThat(reply).isNotDone();
        f.store.release();
        assertOk(reply.get(5, TimeUnit.SECONDS));
        assertThat(f.restore(seg(1, 1))).isPresent();
        assertThat(f.store.puts).containsExactly(f.key(seg(1, 1)));
    }

    @Test
    @DisplayName("PUSH of a name not yet seen by the scanner is pushed at once and answered OK")
    void pushOfUnknownName() {
        f = new DaemonFixture(temp);
        f.start(1, 0);
        f.ready(seg(1, 9), 1);
        assertOk(f.push(seg(1, 9)));
        assertThat(f.restore(seg(1, 9))).isPresent();
        assertThat(f.layout.pushed(seg(1, 9).fileName())).exists();
    }

    @Test
    @DisplayName("a different segment under an archived name is answered DUPLICATE, recorded, and not retried hot")
    void duplicate() throws Exception {
        f = new DaemonFixture(temp);
        f.archive(seg(1, 5), 1);
        f.ready(seg(1, 5), 2);
        f.ready(seg(1, 6), 2);
        f.start(2, 0);

        Reply reply = f.push(seg(1, 5));
        assertThat(reply.status()).isEqualTo(Reply.Status.ERROR);
        assertThat(reply.error()).contains(ErrorCode.DUPLICATE);
        assertThat(reply.reason()).contains("WS-DUPLICATE");
        assertThat(Files.readString(f.layout.failed(seg(1, 5).fileName()))).startsWith("DUPLICATE [WS-DUPLICATE]");
        assertThat(f.layout.pushed(seg(1, 5).fileName())).doesNotExist();

        int attempts = f.store.calls(f.key(seg(1, 5)));
        Thread.sleep(1_500);
        assertThat(f.store.calls(f.key(seg(1, 5))) - attempts).as("store calls for the duplicate in 1.5 s")
                .isLessThanOrEqualTo(4);
        assertThat(f.push(seg(1, 5)).error()).contains(ErrorCode.DUPLICATE);
        // the other segment was not held up
        assertThat(f.restore(seg(1, 6))).isPresent();
        assertThat(f.restore(seg(1, 5)).orElseThrow()).isEqualTo(DaemonFixture.content(seg(1, 5), 1));
    }

    @Test
    @DisplayName("a daemon started while its repository is unreachable answers nothing until it can read the "
            + "binding (agents fall back), then binds and drains the backlog")
    void storeDown() throws Exception {
        f = new DaemonFixture(temp);
        Path away = temp.resolve("repo-away");
        Files.move(f.repoDir, away);
        for (int i = 1; i <= 5; i++) {
            f.ready(seg(1, i), 3);
        }
        f.start(2, 0);

        Reply reply = f.push(seg(1, 3));
        assertThat(reply.status()).isEqualTo(Reply.Status.UNSUPPORTED);
        assertThat(reply.reason()).contains("cannot read the binding");
        assertThat(f.layout.stateRoot()).doesNotExist();

        Files.move(away, f.repoDir);
        await("backlog drained", Duration.ofSeconds(20), () -> Files.isDirectory(f.layout.pushedDirectory())
                && f.layout.pushedDirectory().toFile().list().length == 5);
        assertOk(f.push(seg(1, 3)));
        assertThat(f.layout.failedDirectory()).isEmptyDirectory();
    }

    @Test
    @DisplayName("with the repository unreachable after start PUSH answers STORAGE within wait-timeout; the backlog "
            + "drains after")
    void storeDownAfterStart() throws Exception {
        f = new DaemonFixture(temp);
        f.start(2, 0);
        Path away = temp.resolve("repo-away");
        Files.move(f.repoDir, away);
        for (int i = 1; i <= 5; i++) {
            f.ready(seg(1, i), 3);
        }

        long start = System.nanoTime();
        Reply reply = f.push(seg(1, 3));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DaemonFixture.WAIT.plusMillis(500));
        assertThat(reply.status()).isEqualTo(Reply.Status.ERROR);
        assertThat(reply.error()).contains(ErrorCode.STORAGE);
        assertThat(f.layout.pushedDirectory()).isEmptyDirectory();
        // The reply may be the wait-timeout's, given before the worker's bounded retries gave up and wrote the
        // status (a loaded machine): the failure is recorded once they do.
        await("failure recorded", Duration.ofSeconds(10), () -> Files.exists(f.layout.failed(seg(1, 3).fileName())));

        Files.move(away, f.repoDir);
        await("backlog drained", Duration.ofSeconds(20),
                () -> f.layout.pushedDirectory().toFile().list().length == 5);
        assertOk(f.push(seg(1, 3)));
        assertThat(f.layout.failedDirectory()).isEmptyDirectory();
    }

    @Test
    @DisplayName("shutdown returns within its bound while an upload hangs; the segment stays .ready, unmarked")
    void shutdownBounded() {
        f = new DaemonFixture(temp);
        f.store.hold(0);
        f.ready(seg(1, 1), 1);
        f.start(1, 0);
        await("upload started (the put, a push's only store call, is at the gate)", Duration.ofSeconds(10),
                () -> f.store.calls(f.key(seg(1, 1))) >= 1);

        long start = System.nanoTime();
        boolean finished = f.daemon().shutdown(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(finished).isFalse();
        assertThat(f.pgWal("archive_status/" + seg(1, 1).fileName() + ".ready")).exists();
        assertThat(f.layout.pushed(seg(1, 1).fileName())).doesNotExist();
        // let the abandoned attempt end before the temporary directory goes
        f.store.release();
        await("abandoned put ended", Duration.ofSeconds(5), () -> f.store.putsFinished.get() >= 2);
        assertThat(f.layout.pushed(seg(1, 1).fileName())).as("no marker after shutdown").doesNotExist();
    }

    @Test
    @DisplayName("a fresh daemon over a half-done state finishes the backlog and drops stale spool files")
    void recoversHalfDoneState() throws Exception {
        f = new DaemonFixture(temp);
        for (int i = 1; i <= 3; i++) {
            f.ready(seg(1, i), 4);
        }
        f.start(1, 0);
        await("first pushed", Duration.ofSeconds(10), () -> f.layout.pushedDirectory().toFile().list().length == 3);
        f.close();
        // PostgreSQL archived 1 and removed it; 2 and 3 still .ready; more WAL arrived while no daemon ran
        Files.delete(f.pgWal(seg(1, 1).fileName()));
        Files.delete(f.pgWal("archive_status/" + seg(1, 1).fileName() + ".ready"));
        for (int i = 4; i <= 6; i++) {
            f.ready(seg(1, i), 4);
        }
        Files.writeString(f.layout.prefetched(seg(1, 40).fileName()), "stale");
        Path earlierBoot = Files.createDirectories(f.layout.prefetchRoot().resolve("boot-before-a-crash"));
        Files.writeString(earlierBoot.resolve(seg(1, 41).fileName()), "possibly torn");
        Files.writeString(f.layout.prefetchRoot().resolve(seg(1, 42).fileName()), "older layout");
        Files.writeString(f.layout.failed(seg(1, 4).fileName()), "STORAGE [WS-STORAGE] old");
        int before = f.store.puts.size();

        f.start(1, 0);
        await("backlog done", Duration.ofSeconds(10), () -> f.store.puts.size() - before == 3);
        await("markers", Duration.ofSeconds(5), () -> f.layout.pushedDirectory().toFile().list().length == 5);
        assertThat(f.layout.pushed(seg(1, 1).fileName())).doesNotExist();
        assertThat(f.layout.prefetchDirectory()).isEmptyDirectory();
        try (var left = Files.list(f.layout.prefetchRoot())) {
            assertThat(left).containsExactly(f.layout.prefetchDirectory());
        }
        assertThat(f.layout.failedDirectory()).isEmptyDirectory();
        assertThat(f.store.puts.subList(before, f.store.puts.size()))
                .containsExactly(f.key(seg(1, 4)), f.key(seg(1, 5)), f.key(seg(1, 6)));
        assertThat(Files.readString(f.layout.agentProperties())).contains("fallback=in-process", "wait-timeout-ms=3000");
        assertThat(Files.getPosixFilePermissions(f.layout.pushedDirectory()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
}
