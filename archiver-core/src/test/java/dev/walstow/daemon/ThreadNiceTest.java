package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
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
    @DisplayName("a read-ahead thread runs below the default priority, and only that thread does")
    void lowersOnlyItsOwnThread() throws Exception {
        int before = currentNice();
        // Lowering is what an unprivileged daemon may do; a test run already below READ_AHEAD proves nothing.
        assumeThat(before).isLessThan(ThreadNice.READ_AHEAD);
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        ThreadFactory factory = ThreadNice.lowered(Thread.ofPlatform().name("nice-test").factory(),
                ThreadNice.READ_AHEAD);
        Thread t = factory.newThread(() -> {
            try {
                seen.complete(currentNice());
            } catch (Exception e) {
                seen.completeExceptionally(e);
            }
        });
        t.start();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(ThreadNice.READ_AHEAD);
        assertThat(currentNice()).isEqualTo(before);
    }
}
