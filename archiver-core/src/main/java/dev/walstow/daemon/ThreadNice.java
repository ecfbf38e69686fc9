package dev.walstow.daemon;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority (Linux nice value) of the daemon's read-ahead threads, so that work done ahead of
 * PostgreSQL never slows PostgreSQL itself.
 *
 * <p>Why: during recovery the startup process replays on one core while prefetch decodes the next segments. At equal
 * priority the two compete, and each restore_command call (sh, the launcher, mv) waits behind the decoders. Measured
 * with the whole daemon at nice 10 (docs/benchmarks.md, end to end): 96 restore calls 2.67 s to 2.38 s, PITR 1.09x to
 * 1.01x of cp, the drain unchanged. Only the threads that work ahead get it: uploads stay at the default priority,
 * because an archiver starved by a busy primary lets pg_wal fill up.
 *
 * <p>Java thread priorities do nothing on Linux without root, hence {@code setpriority(PRIO_PROCESS, gettid(), n)},
 * which on Linux applies to the one thread (nice is per thread there). Raising one's own nice value needs no
 * privilege. Best effort: where it is unavailable the threads run at the default priority, which is correct, only
 * slower; that is logged once.
 */
final class ThreadNice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
    /** For fetch and prefetch: below PostgreSQL's 0, above nothing else that matters. */
    static final int READ_AHEAD = 10;
    /** For work done only to be faster later (the start-up warm-up): whatever else wants the CPU goes first. */
    static final int IDLE = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Optional<MethodHandle[]> CALLS = link();
    private static volatile boolean warned;

    private ThreadNice() {}

    /** Threads from {@code factory} that lower their own priority to {@code nice} before they run anything. */
    static ThreadFactory lowered(ThreadFactory factory, int nice) {
        return task -> factory.newThread(() -> {
            lowerCurrent(nice);
            task.run();
        });
    }

    /** @return whether the calling thread now runs at {@code nice} */
    static boolean lowerCurrent(int nice) {
        if (CALLS.isEmpty()) {
            warnOnce("setpriority/gettid are not available");
            return false;
        }
        try {
            int tid = (int) CALLS.get()[1].invokeExact();
            int rc = (int) CALLS.get()[0].invokeExact(PRIO_PROCESS, tid, nice);
            if (rc != 0) {
                warnOnce("setpriority failed");
                return false;
            }
            return true;
        } catch (Throwable e) {
            warnOnce(e.toString());
            return false;
        }
    }

    private static void warnOnce(String why) {
        if (!warned) {
            warned = true;
            LOG.warn("cannot lower the priority of read-ahead threads ({}); they run at the default priority", why);
        }
    }

    private static Optional<MethodHandle[]> link() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setpriority = linker.downcallHandle(linker.defaultLookup().find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT));
            MethodHandle gettid = linker.downcallHandle(linker.defaultLookup().find("gettid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            return Optional.of(new MethodHandle[] {setpriority, gettid});
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }
}
