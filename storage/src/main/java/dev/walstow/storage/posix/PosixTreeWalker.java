package dev.walstow.storage.posix;

import dev.walstow.storage.ListedObject;
import dev.walstow.storage.ObjectKey;
import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Tree walks of a {@link PosixObjectStore}: listing keys and sweeping orphaned hidden files. */
final class PosixTreeWalker {
    private PosixTreeWalker() {}

    /** Keys (non-hidden symbolic links) starting with {@code prefix}, sorted. {@code realRoot} has no symlinks. */
    static List<String> listKeys(Path realRoot, String prefix) throws IOException {
        return listObjects(realRoot, prefix).stream().map(ListedObject::key).toList();
    }

    /** As {@link #listKeys}, with each link's mtime: the moment the object was published under its key. */
    static List<ListedObject> listObjects(Path realRoot, String prefix) throws IOException {
        int slash = prefix.lastIndexOf('/');
        String directory = slash < 0 ? "" : prefix.substring(0, slash);
        // Every key starting with the prefix has these whole components, so if they are not a valid key there is
        // nothing to list, and walking them could leave the repository.
        if (!directory.isEmpty() && !isValidKey(directory)) {
            return List.of();
        }
        Path start = directory.isEmpty() ? realRoot : realRoot.resolve(directory);
        List<ListedObject> keys = new ArrayList<>();
        Files.walkFileTree(start, new Visitor(start) {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isSymbolicLink() && !isHidden(file)) {
                    String key = realRoot.relativize(file).toString();
                    if (key.startsWith(prefix)) {
                        keys.add(new ListedObject(key, java.util.Optional.of(attrs.lastModifiedTime().toInstant())));
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        keys.sort(java.util.Comparator.comparing(ListedObject::key));
        return keys;
    }

    /** Hidden files of ours that no key links to, older than {@code olderThan}: removed (or only counted). */
    static long removeOrphans(Path realRoot, Duration olderThan, boolean dryRun) throws IOException {
        FileTime cutoff = FileTime.from(Instant.now().minus(olderThan));
        long[] removed = {0};
        Files.walkFileTree(realRoot, new Visitor(realRoot) {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                FileVisitResult result = super.preVisitDirectory(dir, attrs);
                if (result == FileVisitResult.CONTINUE) {
                    removed[0] += removeOrphansIn(dir, cutoff, dryRun);
                }
                return result;
            }
        });
        return removed[0];
    }

    private static long removeOrphansIn(Path dir, FileTime cutoff, boolean dryRun) throws IOException {
        Set<String> linked = new HashSet<>();
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!isHidden(entry) && Files.isSymbolicLink(entry)) {
                    linked.add(Files.readSymbolicLink(entry).toString());
                } else if (PosixNames.isHiddenStoreFile(entry.getFileName().toString())) {
                    candidates.add(entry);
                }
            }
        }
        long removed = 0;
        for (Path candidate : candidates) {
            if (linked.contains(candidate.getFileName().toString())) {
                continue;
            }
            try {
                BasicFileAttributes attrs =
                        Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isRegularFile() && attrs.lastModifiedTime().compareTo(cutoff) < 0
                        && (dryRun || Files.deleteIfExists(candidate))) {
                    removed++;
                }
            } catch (NoSuchFileException e) {
                // Renamed into place or removed by someone else meanwhile.
            }
        }
        return removed;
    }

    private static boolean isHidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    private static boolean isValidKey(String key) {
        try {
            ObjectKey.validate(key);
            return true;
        } catch (StorageException e) {
            return false;
        }
    }

    /** Skips hidden directories (none of ours) and tolerates entries vanishing under concurrent deletes. */
    static class Visitor extends SimpleFileVisitor<Path> {
        private final Path start;

        Visitor(Path start) {
            this.start = start;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            return !dir.equals(start) && isHidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
            }
            throw e;
        }
    }
}
