package dev.walstow.daemon;

import dev.walstow.daemon.spool.LauncherAsks;
import dev.walstow.daemon.DaemonFixture;
import static dev.walstow.daemon.DaemonFixture.await;
import static dev.walstow.daemon.TestWal.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.wal.HistoryName;
import dev.walstow.wal.TimelineId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's JVM-free archive-get: files in asked/ answered in answers/ by the running daemon. */
class LauncherAsksTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);
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

    private Path ask(String name, String id) throws IOException {
        return Files.createFile(f.layout.askedDirectory().resolve(name + "." + id));
    }

    private Path answer(String request) {
        return f.layout.answersDirectory().resolve(request);
    }

    @Test
    @DisplayName("an asked segment is answered with the verified file itself, and the window behind it is prefetched")
    void segmentAnswered() throws Exception {
        byte[] archived = f.archive(seg(1, 1), 3);
        f.archive(seg(1, 2), 4);
        f.start(1, 2);
        Path asked = ask(seg(1, 1).fileName(), "4242-17");

        await("answered", LIMIT, () -> Files.exists(answer(seg(1, 1).fileName() + ".4242-17")));
        assertThat(Files.readAllBytes(answer(seg(1, 1).fileName() + ".4242-17"))).isEqualTo(archived);
        await("ask removed", LIMIT, () -> !Files.exists(asked));
        await("next prefetched", LIMIT, () -> Files.exists(f.layout.prefetched(seg(1, 2).fileName())));
    }

    @Test
    @DisplayName("a file the archive does not have is answered .missing; a history file is looked up again on every ask")
    void missingAndFreshHistory() throws Exception {
        f.start(1, 2);
        String history = new HistoryName(new TimelineId(2)).fileName();
        ask(history, "1-1");
        await("missing", LIMIT, () -> Files.exists(answer(history + ".1-1.missing")));
        assertThat(answer(history + ".1-1")).doesNotExist();

        byte[] archived = f.archive(new HistoryName(new TimelineId(2)), 7);
        ask(history, "1-2");
        await("found now", LIMIT, () -> Files.exists(answer(history + ".1-2")));
        assertThat(Files.readAllBytes(answer(history + ".1-2"))).isEqualTo(archived);
    }

    @Test
    @DisplayName("an ask the daemon cannot serve is answered .error, so the launcher asks through the agent")
    void damagedIsError() throws Exception {
        f.archive(seg(1, 1), 3);
        f.start(1, 0);
        // Not a WAL file name: nothing to look up, and not "missing" either.
        ask("RECOVERYXLOG", "5-5");
        await("error", LIMIT, () -> Files.exists(answer("RECOVERYXLOG.5-5.error")));
    }

    @Test
    @DisplayName("files without an ask's ID are ignored, and abandoned answers are swept")
    void ignoredAndSwept() throws Exception {
        f.start(1, 0);
        Path stray = ask(seg(1, 1).fileName(), "not-an-id");
        Path old = Files.createFile(answer(seg(1, 1).fileName() + ".9-9"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        Path fresh = Files.createFile(answer(seg(1, 1).fileName() + ".9-10.missing"));

        new LauncherAsks(f.layout, null).sweep(LauncherAsks.ABANDONED);
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        assertThat(stray).exists();
        assertThat(f.layout.answersDirectory()).isDirectoryNotContaining(p -> p.getFileName().toString()
                .startsWith(seg(1, 1).fileName() + ".not-an-id"));
    }
}
