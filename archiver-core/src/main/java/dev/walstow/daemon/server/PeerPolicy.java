package dev.walstow.daemon.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may talk to the daemon: its own uid and the configured {@code [daemon] allowed-uids}.
 *
 * <p>Why check at all when the socket is 0600 in a 0700 directory: file modes are one mistake (a chmod, a
 * permissive umask on a copied data directory) away from letting any local user ask the daemon to read or write
 * files in pg_wal with the daemon's rights. The kernel-reported peer uid (SO_PEERCRED) cannot be forged.
 */
public final class PeerPolicy {
    private final int daemonUid;
    private final Set<Integer> allowed;

    public PeerPolicy(int daemonUid, Collection<Integer> allowedUids) {
        this.daemonUid = daemonUid;
        this.allowed = Set.copyOf(new TreeSet<>(allowedUids));
    }

    /** The policy for this process: its own uid plus {@code allowedUids}. */
    public static PeerPolicy forThisProcess(Collection<Integer> allowedUids) {
        return new PeerPolicy(processUid(), allowedUids);
    }

    public boolean allows(int uid) {
        return uid == daemonUid || allowed.contains(uid);
    }

    public int daemonUid() {
        return daemonUid;
    }

    /** The (effective) uid of this process, read without JNI: the kernel shows /proc/self as owned by it. */
    public static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot determine this process's uid from /proc/self", e);
        }
    }

    @Override
    public String toString() {
        return "uid " + daemonUid + (allowed.isEmpty() ? "" : " and allowed-uids " + new TreeSet<>(allowed));
    }
}
