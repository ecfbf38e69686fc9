package dev.walstow.daemon;

import static dev.walstow.daemon.DaemonFixture.assertOk;
import static dev.walstow.daemon.DaemonFixture.await;
import static dev.walstow.daemon.TestWal.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.TimelineId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonFetchTest {
    @TempDir
    Path temp;
    private DaemonFixture f;

    @BeforeEach
    void recovering() throws IOException {
        f = new DaemonFixture(temp);
        Files.createFile(f.data.resolve("recovery.signal"));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Set<String> spool() {
        try (Stream<Path> files = Files.list(f.layout.prefetchDirectory())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("GET restores to %p, prefetches the next N segments, and serves the next call by rename")
    void prefetchAndServe() throws Exception {
        byte[][] archived = new byte[8][];
        for (int i = 1; i <= 7; i++) {
            archived[i] = f.archive(seg(1, i), 5);
        }
        f.start(1, 3);

        assertOk(f.get(seg(1, 1), "RECOVERYXLOG"));
        assertThat(Files.readAllBytes(f.pgWal("RECOVERYXLOG"))).isEqualTo(archived[1]);
        await("3 prefetched", Duration.ofSeconds(10), () -> spool().size() == 3);
        assertThat(spool()).containsExactlyInAnyOrder(seg(1, 2).fileName(), seg(1, 3).fileName(),
                seg(1, 4).fileName());

        int reads = f.store.calls(f.key(seg(1, 2)));
        assertOk(f.get(seg(1, 2), "RECOVERYXLOG"));
        assertThat(Files.readAllBytes(f.pgWal("RECOVERYXLOG"))).isEqualTo(archived[2]);
        assertThat(f.store.calls(f.key(seg(1, 2)))).as("served from the spool").isEqualTo(reads);
        await("window moved on", Duration.ofSeconds(10), () -> spool().equals(Set.of(seg(1, 3).fileName(),
                seg(1, 4).fileName(), seg(1, 5).fileName())));
    }

    @Test
    @DisplayName("a missing segment is answered NOT_FOUND and, within the TTL, from the negative cache")
    void notFoundAndNegativeCache() {
        f.start(1, 2);
        Reply first = f.get(seg(1, 9), "RECOVERYXLOG");
        assertThat(first.status()).isEqualTo(Reply.Status.NOT_FOUND);
        assertThat(first.exitCode(Request.Kind.GET)).isEqualTo(1);

        f.archive(seg(1, 9), 1);
        assertThat(f.get(seg(1, 9), "RECOVERYXLOG").status()).as("within the TTL").isEqualTo(Reply.Status.NOT_FOUND);
        await("TTL over", Duration.ofSeconds(5),
                () -> f.get(seg(1, 9), "RECOVERYXLOG").status() == Reply.Status.OK);
        assertThat(f.pgWal("RECOVERYXLOG")).exists();
    }

    @Test
    @DisplayName("prefetching stops at a segment known to be missing instead of fetching beyond it")
    void noPrefetchBeyondGap() throws Exception {
        f.archive(seg(1, 1), 1);
        f.archive(seg(1, 2), 1);
        f.archive(seg(1, 5), 1);
        int seg5Calls = f.store.calls(f.key(seg(1, 5)));
        f.start(1, 2);
        assertOk(f.get(seg(1, 1), "RECOVERYXLOG"));
        await("2 prefetched, 3 found missing", Duration.ofSeconds(10),
                () -> spool().contains(seg(1, 2).fileName()) && f.store.calls(f.key(seg(1, 3))) > 0);
        Thread.sleep(100);
        assertOk(f.get(seg(1, 2), "RECOVERYXLOG"));
        Thread.sleep(300);
        assertThat(f.store.calls(f.key(seg(1, 4)))).isZero();
        assertThat(f.store.calls(f.key(seg(1, 5)))).isEqualTo(seg5Calls);
        assertThat(f.get(seg(1, 3), "RECOVERYXLOG").status()).isEqualTo(Reply.Status.NOT_FOUND);
    }

    @Test
    @DisplayName("a corrupted object is an error (exit above 125), never NOT_FOUND, and nothing lands at %p")
    void corruptedObject() throws Exception {
        f.archive(seg(1, 1), 1);
        Path dir = f.repoDir.resolve("wal/0000000100000000");
        try (Stream<Path> files = Files.list(dir)) {
            Path data = files.filter(p -> p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(data);
            bytes[bytes.length / 2] ^= 0x55;
            Files.write(data, bytes);
        }
        f.start(1, 2);
        Reply reply = f.get(seg(1, 1), "RECOVERYXLOG");
        assertThat(reply.status()).isEqualTo(Reply.Status.ERROR);
        assertThat(reply.exitCode(Request.Kind.GET)).isGreaterThan(125);
        assertThat(f.pgWal("RECOVERYXLOG")).doesNotExist();
        assertThat(spool()).isEmpty();
    }

    @Test
    @DisplayName("history files are always fetched fresh from the repository, never from a cache")
    void historyAlwaysFresh() throws Exception {
        HistoryName h = new HistoryName(new TimelineId(2));
        byte[] first = f.archive(h, 1);
        f.start(1, 2);
        assertOk(f.get(h, "RECOVERYHISTORY"));
        assertThat(Files.readAllBytes(f.pgWal("RECOVERYHISTORY"))).isEqualTo(first);

        f.store.delete(f.key(h));
        byte[] second = f.archive(h, 2);
        assertThat(second).isNotEqualTo(first);
        assertOk(f.get(h, "RECOVERYHISTORY"));
        assertThat(Files.readAllBytes(f.pgWal("RECOVERYHISTORY"))).isEqualTo(second);

        f.store.delete(f.key(h));
        assertThat(f.get(h, "RECOVERYHISTORY").status()).isEqualTo(Reply.Status.NOT_FOUND);
        assertThat(spool()).isEmpty();
    }

    @Test
    @DisplayName("a prefetched file taken by the launcher's mv (no request to the daemon) refills the window")
    void launcherTakeRefills() throws Exception {
        for (int i = 1; i <= 6; i++) {
            f.archive(seg(1, i), 5);
        }
        f.start(1, 2);
        assertOk(f.get(seg(1, 1), "RECOVERYXLOG"));
        await("2 prefetched", Duration.ofSeconds(10), () -> spool().size() == 2);

        int reads = f.store.calls(f.key(seg(1, 2)));
        // What bin/walstow does for archive-get when the file is already in the spool.
        Files.move(f.layout.prefetched(seg(1, 2).fileName()), f.pgWal("RECOVERYXLOG"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await("window refilled without a request", Duration.ofSeconds(10),
                () -> spool().equals(Set.of(seg(1, 3).fileName(), seg(1, 4).fileName())));
        assertThat(f.store.calls(f.key(seg(1, 2)))).as("segment 2 is not fetched again").isEqualTo(reads);
    }

    @Test
    @DisplayName("a GET on a newer timeline drops prefetched segments of older timelines")
    void timelineMoveCleansSpool() {
        for (int i = 1; i <= 4; i++) {
            f.archive(seg(1, i), 1);
            f.archive(seg(2, i), 1);
        }
        f.start(1, 2);
        assertOk(f.get(seg(1, 1), "RECOVERYXLOG"));
        await("tli 1 prefetched", Duration.ofSeconds(10), () -> spool().size() == 2);

        assertOk(f.get(seg(2, 2), "RECOVERYXLOG"));
        await("only tli 2 left", Duration.ofSeconds(10), () -> spool(), s -> s.equals(Set.of(seg(2, 3).fileName(),
                seg(2, 4).fileName())));
    }

    @Test
    @DisplayName("the spool is emptied once recovery has ended (no recovery.signal or standby.signal)")
    void recoveryEndClearsSpool() throws Exception {
        for (int i = 1; i <= 3; i++) {
            f.archive(seg(1, i), 1);
        }
        f.start(1, 2);
        assertOk(f.get(seg(1, 1), "RECOVERYXLOG"));
        await("prefetched", Duration.ofSeconds(10), () -> spool().size() == 2);
        Files.delete(f.data.resolve("recovery.signal"));
        await("spool cleared", Duration.ofSeconds(5), () -> spool().isEmpty());
    }

    @Test
    @DisplayName("requests for another data directory or a path outside pg_wal are refused as unsupported")
    void refusesForeignPaths() throws Exception {
        f.archive(seg(1, 1), 1);
        f.start(1, 0);
        Path other = Files.createDirectories(temp.resolve("other/pg_wal"));
        Files.writeString(other.getParent().resolve("PG_VERSION"), "15\n");
        String name = seg(1, 1).fileName();

        assertThat(f.call(new Request(Request.Kind.GET, name, "pg_wal/RECOVERYXLOG", other.getParent().toString()))
                .status()).isEqualTo(Reply.Status.UNSUPPORTED);
        assertThat(f.call(new Request(Request.Kind.GET, name, "../escaped", f.data.toString())).status())
                .isEqualTo(Reply.Status.UNSUPPORTED);
        assertThat(f.call(new Request(Request.Kind.PUSH, name, "global/" + name, f.data.toString())).status())
                .isEqualTo(Reply.Status.UNSUPPORTED);
        assertThat(temp.resolve("escaped")).doesNotExist();
        assertThat(f.call(new Request(Request.Kind.GET, "not-a-wal-name", "pg_wal/x", f.data.toString())).status())
                .isEqualTo(Reply.Status.ERROR);
        assertOk(f.call(Request.ping()));
        assertThat(Arrays.asList(f.layout.pushedDirectory().toFile().list())).isEmpty();
    }
}
