package dev.walstow.runtime;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes (and files, where the work counts them) done out of a total, printed on one refreshed terminal line about
 * once a second, only when a terminal is attached (logs and cron mail stay clean). The counts can also be read, e.g.
 * for a backup's lock heartbeat.
 */
public final class Progress implements AutoCloseable {
    private final String what;
    private final PrintStream out;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong filesDone = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile long total;
    private volatile long filesTotal;
    private Thread printer;

    private Progress(String what, PrintStream out) {
        this.what = what;
        this.out = out;
    }

    /** Prints to stderr if a terminal is attached, else nothing. */
    public static Progress onTerminal(String what) {
        return new Progress(what, System.console() != null ? System.err : null);
    }

    public static Progress silent() {
        return new Progress("", null);
    }

    public void start(long totalBytes) {
        total = totalBytes;
        if (out != null) {
            printer = Thread.ofPlatform().daemon().name("walstow-progress").start(this::loop);
        }
    }

    /** As {@link #start(long)}, for work that also counts files. */
    public void start(long totalBytes, long totalFiles) {
        filesTotal = totalFiles;
        start(totalBytes);
    }

    public void add(long bytes) {
        done.addAndGet(bytes);
    }

    public void fileDone() {
        filesDone.incrementAndGet();
    }

    public long done() {
        return done.get();
    }

    /** Bytes to do, as given to {@link #start}; 0 before. */
    public long total() {
        return total;
    }

    public long filesDone() {
        return filesDone.get();
    }

    /** Files to do, as given to {@link #start(long, long)}; 0 before (or if the work does not count files). */
    public long filesTotal() {
        return filesTotal;
    }

    /** MB/s (10^6 bytes) since creation. */
    public double megabytesPerSecond() {
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        return done.get() / 1e6 / seconds;
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                print('\r');
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void print(char end) {
        long d = done.get();
        long t = Math.max(1, total);
        out.printf("%s: %,d / %,d MiB (%d%%), %.0f MB/s   %c", what, d >> 20, total >> 20, Math.min(100, d * 100 / t),
                megabytesPerSecond(), end);
        out.flush();
    }

    @Override
    public void close() {
        if (printer != null) {
            printer.interrupt();
            try {
                printer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            print('\n');
        }
    }
}
