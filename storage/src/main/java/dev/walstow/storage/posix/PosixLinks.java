package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Reading the symbolic link of a key in a {@link PosixObjectStore}. */
final class PosixLinks {
    private PosixLinks() {}

    static void requireRoot(Path root, String op, String key) throws StorageException {
        if (!Files.isDirectory(root)) {
            throw PosixErrors.missingRoot(op, key, root, null);
        }
    }

    /**
     * @return the object under {@code link}, or empty if positively none (nothing there, a directory, or a parent
     *     that is not a directory)
     * @throws StorageException of kind CORRUPT if something other than a link to a data file is there
     */
    static Optional<PosixLinkedObject> read(Path root, String op, String key, Path link) throws IOException {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            requireRoot(root, op, key);
            return Optional.empty();
        } catch (NotLinkException e) {
            if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            throw PosixErrors.corrupt(op, key, root, "a regular file instead of a symbolic link");
        } catch (FileSystemException e) {
            if ("Not a directory".equals(e.getReason())) {
                return Optional.empty(); // a parent is an object, so no object can be below it
            }
            throw e;
        }
        ObjectMeta meta = PosixNames.parse(link.getFileName().toString(), target).orElseThrow(() ->
                PosixErrors.corrupt(op, key, root, "a symbolic link to '" + target + "', not a walstow data file"));
        try {
            if (!Files.readAttributes(link.resolveSibling(target), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                throw PosixErrors.corrupt(op, key, root, "a symbolic link to '" + target + "', not a regular file");
            }
        } catch (NoSuchFileException e) {
            if (!Files.isSymbolicLink(link)) {
                return Optional.empty(); // deleted while we looked
            }
            throw PosixErrors.corrupt(op, key, root, "a dangling symbolic link to '" + target + "'");
        }
        return Optional.of(new PosixLinkedObject(target, meta));
    }

    /**
     * Whether {@code link} is a symbolic link to {@code dataName}. Only a positive "no" is false: a link that cannot
     * be read throws, so that callers deciding whether a data file may go keep it.
     */
    static boolean linksTo(Path link, String dataName) throws IOException {
        try {
            return Files.readSymbolicLink(link).toString().equals(dataName);
        } catch (NoSuchFileException | NotLinkException e) {
            return false;
        }
    }
}
