package dev.walstow.storage.posix;

import dev.walstow.storage.LocalProcess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's start-up sweep of a {@link PosixObjectStore}: removes only what writers that have provably exited
 * left, at once and whatever its age.
 *
 * <p>Why not by age, as {@code walstow expire} does: when the daemon starts, other writers may be live, and none
 * of them announces itself: archive-push JVMs of this cluster (in-process when the daemon is down), a {@code walstow
 * backup} writing 256 MiB parts for hours, and on NFS other hosts, whose clocks need not agree with the file times.
 * A put stalled on a slow or hung NFS server can sit between its last write and its link for any length of time.
 * Removing a live put's temporary file fails that put (a backup aborts after hours); removing its data file before
 * it links leaves, with a writer older than {@link PosixPut}'s give-back, a key reported archived that points to
 * nothing, i.e. lost WAL. No age is safe for all of them, so the start-up sweep uses none.
 *
 * <p>What is proof: each temporary file's name carries its writer ({@link LocalProcess}: boot id, pid namespace,
 * pid, start time). A writer of this boot and pid namespace whose pid is free, or held by a process started at
 * another time, has exited, and a dead process's put never resumes. Its temporary files go, and so do unlinked data
 * files that are the <em>same file</em> (inode) as one of them: a put keeps its temporary name as a hard link to its
 * data file until it is over, so these are the data files of puts killed before their link. They are removed like a
 * failed put's ({@link PosixPut#removeUnlinked}: look, delete, look again, give back), because a live put of the same
 * content may still link to the name. Everything else stays for {@code walstow expire}'s age-based sweep: files of
 * other hosts, containers or boots (a reboot's leftovers), and of versions whose temporary names carry no writer.
 *
 * <p>Cost: one directory listing of each directory plus one {@code lstat} per entry, like {@code list("")}.
 */
final class PosixLeftovers {
    private PosixLeftovers() {}

    static long removeOfDeadWriters(Path realRoot) throws IOException {
        Optional<Integer> ourUid = uid(Path.of("/proc/self"), true);
        long[] removed = {0};
        Files.walkFileTree(realRoot, new PosixTreeWalker.Visitor(realRoot) {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                FileVisitResult result = super.preVisitDirectory(dir, attrs);
                if (result == FileVisitResult.CONTINUE) {
                    removed[0] += removeIn(dir, ourUid);
                }
                return result;
            }
        });
        return removed[0];
    }

    private static long removeIn(Path dir, Optional<Integer> ourUid) throws IOException {
        Map<Object, Path> deadTemps = new HashMap<>(); // by file key (device and inode)
        List<Path> dataFiles = new ArrayList<>();
        try (DirectoryStream<Path> hidden = Files.newDirectoryStream(dir, p -> p.getFileName().toString()
                .startsWith("."))) {
            for (Path entry : hidden) {
                String name = entry.getFileName().toString();
                Optional<LocalProcess> writer = PosixNames.tempWriter(name);
                if (writer.isPresent()) {
                    BasicFileAttributes attrs = attributes(entry);
                    if (attrs != null && attrs.isRegularFile()
                            && writer.get().isDead(ourUid.isPresent() && ourUid.equals(uid(entry, false)))) {
                        deadTemps.put(attrs.fileKey(), entry);
                    }
                } else if (PosixNames.dataFileKeyName(name).isPresent()) {
                    dataFiles.add(entry);
                }
            }
        }
        if (deadTemps.isEmpty()) {
            return 0; // nothing proves any data file here dead
        }
        long removed = 0;
        // Data files first: a dead put's temporary name is what a racing put may need to be given its file back.
        for (Path data : dataFiles) {
            BasicFileAttributes attrs = attributes(data);
            Path handle = attrs == null || !attrs.isRegularFile() ? null : deadTemps.get(attrs.fileKey());
            String keyName = PosixNames.dataFileKeyName(data.getFileName().toString()).orElseThrow();
            if (handle != null && PosixPut.removeUnlinked(dir.resolve(keyName), data, handle)) {
                removed++;
            }
        }
        for (Path temp : deadTemps.values()) {
            if (Files.deleteIfExists(temp)) {
                removed++;
            }
        }
        return removed;
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null; // finished or removed meanwhile
        }
    }

    /** The owner's uid; empty where the file system does not tell (then no missing pid is taken as proof). */
    private static Optional<Integer> uid(Path file, boolean follow) {
        try {
            Object uid = follow ? Files.getAttribute(file, "unix:uid")
                    : Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return Optional.of((Integer) uid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
