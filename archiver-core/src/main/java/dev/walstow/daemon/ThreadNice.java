package dev.walstow.daemon;

import dev.walstow.daemon.spool.LauncherAsks;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority (Linux nice value) of the calling thread: for the start-up warm-up ({@link WarmUp}),
 * work done only to be faster later, which must never take CPU from PostgreSQL.
 *
 * <p>Why only there: a thread inherits the nice value of the thread that creates it, and an unprivileged process
 * cannot undo that. A lowered thread that starts another (a virtual-thread carrier when it unparks a waiter, a
 * Netty event loop on its first S3 request, a pool's lazily created worker) passes its low priority on for that
 * thread's whole life, possibly to uploads, and an archiver starved by a busy primary lets pg_wal fill up. The
 * warm-up thread only runs the codec and a scratch posix repository on itself. Lowering the fetch threads (nice 10)
 * was measured too and not kept: once recovery no longer started agent JVMs (LauncherAsks) it changed 96 restore
 * calls by 2 % (2.27 to 2.23 s) and PITR not at all (docs/benchmarks.md, end to end), not worth that risk.
 *
 * <p>Java thread priorities do nothing on Linux without root, hence {@code setpriority(PRIO_PROCESS, gettid(), n)},
 * which on Linux applies to the one thread (nice is per thread there). Raising one's own nice value needs no
 * privilege. Best effort: where it is unavailable the thread runs at the default priority, which is correct, only
 * less polite; that is logged.
 */
final class ThreadNice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
    /** For work done only to be faster later (the start-up warm-up): whatever else wants the CPU goes first. */
    static final int IDLE = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Optional<Calls> CALLS = link();

    /** int setpriority(int which, id_t who, int prio); pid_t gettid(void). */
    private record Calls(MethodHandle setpriority, MethodHandle gettid) {}

    private ThreadNice() {}

    /** @return whether the calling thread now runs at {@code nice} */
    static boolean lowerCurrent(int nice) {
        if (CALLS.isEmpty()) {
            return notLowered("setpriority/gettid are not available");
        }
        try {
            int tid = (int) CALLS.get().gettid().invokeExact();
            int rc = (int) CALLS.get().setpriority().invokeExact(PRIO_PROCESS, tid, nice);
            return rc == 0 || notLowered("setpriority failed");
        } catch (Throwable e) {
            return notLowered(e.toString());
        }
    }

    private static boolean notLowered(String why) {
        LOG.warn("cannot lower the priority of the warm-up ({}); it runs at the default priority", why);
        return false;
    }

    private static Optional<Calls> link() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setpriority = linker.downcallHandle(linker.defaultLookup().find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT));
            MethodHandle gettid = linker.downcallHandle(linker.defaultLookup().find("gettid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            return Optional.of(new Calls(setpriority, gettid));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }
}
