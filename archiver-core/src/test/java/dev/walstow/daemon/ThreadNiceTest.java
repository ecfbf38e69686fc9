package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ThreadNiceTest {

    /** Field 19 of /proc/thread-self/stat (after the parenthesised command name): the thread's nice value. */
    static int currentNice() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }

    @Test
    @DisplayName("a lowered thread runs below the default priority, and only that thread does")
    void lowersOnlyItsOwnThread() throws Exception {
        int before = currentNice();
        // Lowering is what an unprivileged daemon may do; a test run already at IDLE proves nothing.
        assumeThat(before).isLessThan(ThreadNice.IDLE);
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("nice-test").unstarted(() -> {
            try {
                assertThat(ThreadNice.lowerCurrent(ThreadNice.IDLE)).isTrue();
                seen.complete(currentNice());
            } catch (Exception e) {
                seen.completeExceptionally(e);
            }
        });
        t.start();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(ThreadNice.IDLE);
        assertThat(currentNice()).isEqualTo(before);
    }
}
