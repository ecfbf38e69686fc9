package dev.walstow.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process on a Linux host, named so that another process can later tell whether it has exited: kernel boot id, pid
 * namespace, pid and the process's start time (clock ticks since boot, {@code /proc/PID/stat} field 22). Names the
 * writer of a posix store's temporary file (in the file's name) and the holder of the repository lock.
 *
 * <p>Why all four: a pid means something only inside one pid namespace of one boot (containers share the boot id
 * but not the pids; another NFS client shares neither), and pids are reused, which the start time exposes. Only
 * when the first two equal ours can {@link #isDead} give an answer; everything else is "cannot tell".
 *
 * @param bootId {@code /proc/sys/kernel/random/boot_id} without dashes (32 hex digits)
 * @param pidNamespace the inode number of {@code /proc/self/ns/pid}
 */
public record LocalProcess(String bootId, long pidNamespace, long pid, long startTicks) {
    private static final Pattern TOKEN = Pattern.compile("([0-9a-f]{32})-([0-9]{1,19})-([0-9]{1,10})-([0-9]{1,19})");
    private static final Pattern NAMESPACE = Pattern.compile("pid:\\[([0-9]{1,19})]");
    private static final Path PROC = Path.of("/proc");
    /** A process that is there but whose start time we cannot read: alive, as far as we can tell. */
    private static final long UNKNOWN = -1;

    private static final Optional<LocalProcess> CURRENT = readCurrent();

    /** This process, or empty where {@code /proc} does not tell (then temporary names carry no writer). */
    public static Optional<LocalProcess> current() {
        return CURRENT;
    }

    /** {@code BOOTID-PIDNS-PID-START}: what names the process in a temporary file's name and in a lock. */
    public String token() {
        return bootId + "-" + pidNamespace + "-" + pid + "-" + startTicks;
    }

    public static Optional<LocalProcess> parse(String token) {
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LocalProcess(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this writer has provably exited: it ran in our boot and pid namespace, and its pid is now free or
     * held by a process started at another time. {@code sameOwner} says whether its file belongs to our uid: with
     * {@code /proc} mounted {@code hidepid}, another user's live process is invisible, so a missing pid proves
     * nothing unless the writer was us (a process always sees its own uid's processes).
     */
    public boolean isDead(boolean sameOwner) {
        Optional<LocalProcess> self = CURRENT;
        if (self.isEmpty() || !self.get().bootId.equals(bootId) || self.get().pidNamespace != pidNamespace) {
            return false;
        }
        Optional<Long> start = startTicks(pid);
        if (start.isEmpty()) {
            return sameOwner;
        }
        return start.get() != UNKNOWN && start.get() != startTicks;
    }

    private static Optional<LocalProcess> readCurrent() {
        try {
            String boot = Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim().replace("-", "");
            Matcher ns = NAMESPACE.matcher(Files.readSymbolicLink(PROC.resolve("self/ns/pid")).toString());
            long pid = ProcessHandle.current().pid();
            Optional<Long> start = startTicks(pid);
            if (!boot.matches("[0-9a-f]{32}") || !ns.matches() || start.isEmpty() || start.get() == UNKNOWN) {
                return Optional.empty();
            }
            return Optional.of(new LocalProcess(boot, Long.parseLong(ns.group(1)), pid, start.get()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not Linux, or /proc not mounted: temp names fall back to the random part
        }
    }

    /** Field 22 of {@code /proc/PID/stat}, or empty if there is no such process (visible to us). */
    private static Optional<Long> startTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(UNKNOWN);
        }
        // The command name (field 2) may contain spaces and parentheses; the fields after its last ')' cannot.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        try {
            return Optional.of(Long.parseLong(fields[19])); // field 22 is the 20th after the name
        } catch (RuntimeException e) {
            return Optional.of(UNKNOWN);
        }
    }
}
