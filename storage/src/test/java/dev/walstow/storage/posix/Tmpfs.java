package dev.walstow.storage.posix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small tmpfs for provoking ENOSPC and EROFS; needs root (or CAP_SYS_ADMIN), which tests must assume. */
final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** @return the mounted tmpfs, or null if this environment does not allow mounting */
    static Tmpfs mount(Path mountPoint, String size) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", mountPoint.toString())
                ? new Tmpfs(mountPoint) : null;
    }

    /** As {@link #mount(Path, String)}, with at most {@code inodes} inodes (tmpfs also counts hard links). */
    static Tmpfs mount(Path mountPoint, String size, long inodes) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size + ",nr_inodes=" + inodes + ",mode=0755", "tmpfs",
                mountPoint.toString()) ? new Tmpfs(mountPoint) : null;
    }

    void remountReadOnly() throws Exception {
        if (!run("mount", "-o", "remount,ro", mountPoint.toString())) {
            throw new IllegalStateException("cannot remount " + mountPoint + " read-only");
        }
    }

    @Override
    public void close() throws Exception {
        if (!run("umount", mountPoint.toString())) {
            run("umount", "-l", mountPoint.toString()); // never leave a mount behind on a shared machine
        }
    }

    static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}
