package dev.walstow.storage.posix;

import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The put sequence of a {@link PosixObjectStore}: write a temporary file and fsync it, give it the data file's name
 * through a second hard link (so the temporary name stays ours), fsync the directory, create the key's link
 * (create-only: the commit point), make sure the data file is still there, fsync the directory.
 *
 * <p>Why a put keeps its temporary name until it is over: the data file's name is shared by every put of the same
 * key and content, and a put that fails after creating it must remove it (ENOSPC at {@code symlink(2)} left one
 * behind per failed push), yet a racing put of the same content may link to that very name at any moment. Removal
 * is therefore look, delete, look again: a put whose link turns out to point to the removed name is given the file
 * back from the remover's temporary name, and a put that finds its data file gone after linking restores it from its
 * own. Either way no link is left dangling, whoever is first. What remains: a process killed, or a power loss,
 * between the delete and the give-back of such a race (two directory changes, not one) leaves a dangling link
 * (CORRUPT, never silently wrong content). On a file system without hard links a put never removes its data file:
 * with no second name it could not give it back.
 */
final class PosixPut {
    /** The commit point, {@code symlink(2)}; replaced in tests to fail or race there. */
    @FunctionalInterface
    interface LinkStep {
        void createLink(Path link, Path target) throws IOException;
    }

    static final LinkStep SYMLINK = (link, target) -> Files.createSymbolicLink(link, target);

    private final Path root;
    private final LinkStep linkStep;

    PosixPut(Path root, LinkStep linkStep) {
        this.root = root;
        this.linkStep = linkStep;
    }

    PutResult put(String key, Path link, PosixFiles.ContentWriter writer) throws IOException {
        Path dir = link.getParent();
        String name = link.getFileName().toString();
        // Duplicate pushes are common (archive_command retries): answer them without writing anything.
        Optional<PosixLinkedObject> existing = PosixLinks.read(root, "put", key, link);
        if (existing.isPresent()) {
            return new PutResult.Exists(existing.get().meta());
        }
        PosixFiles.createDirectories(root, dir);
        Path own = dir.resolve(PosixNames.tempName(name));
        try {
            // The data file's name carries the metadata, which a streamed object has only once written.
            String dataName = PosixNames.dataName(name, PosixFiles.writeNewFile(own, writer));
            // Without a second name (no hard links) nothing could be given back to a racer: never remove then.
            Optional<Path> handle = placeDataFile(name, own, dir.resolve(dataName)) ? Optional.of(own)
                    : Optional.empty();
            try {
                return publish(key, link, dataName, handle);
            } catch (Throwable failure) {
                try {
                    if (handle.isPresent()) {
                        removeUnlinked(link, dir.resolve(dataName), handle.get());
                    }
                } catch (IOException | RuntimeException e) {
                    failure.addSuppressed(e); // the put's own failure is what the caller must see
                }
                throw failure;
            }
        } finally {
            deleteQuietly(own);
        }
    }

    /**
     * Replacing a same-name leftover of a crashed attempt is harmless (same sha256, same plaintext) and makes the
     * object what this put encoded, with the keys in force now rather than those of the crashed attempt.
     *
     * @return whether {@code own} stays a second name of the data file (false: moved, the file system has no hard
     *     links)
     */
    private static boolean placeDataFile(String name, Path own, Path data) throws IOException {
        Path staged = own.resolveSibling(PosixNames.tempName(name));
        try {
            try {
                Files.createLink(staged, own);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (!hardLinksUnsupported(e)) {
                    throw e;
                }
                // A file system without hard links (some FUSE and SMB mounts): the rename alone, as before hard links
                // were used. What a put that then fails at its link leaves stays for walstow expire's age-based sweep.
                Files.move(own, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return false;
            }
            Files.move(staged, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } finally {
            deleteQuietly(staged);
        }
    }

    /** EPERM, EOPNOTSUPP or ENOSYS from link(2): this file system has no hard links (ENOSPC, EEXIST are real errors). */
    private static boolean hardLinksUnsupported(Exception e) {
        if (e instanceof UnsupportedOperationException) {
            return true;
        }
        String reason = ((FileSystemException) e).getReason();
        return "Operation not permitted".equals(reason) || "Operation not supported".equals(reason)
                || "Function not implemented".equals(reason);
    }

    private PutResult publish(String key, Path link, String dataName, Optional<Path> handle) throws IOException {
        Path dir = link.getParent();
        PosixFiles.fsyncDirectory(dir);
        try {
            linkStep.createLink(link, Path.of(dataName));
        } catch (FileAlreadyExistsException e) {
            return lostRace(key, link, dataName);
        }
        // A failed put of the same content may have removed the name after we gave it our file.
        Path data = dir.resolve(dataName);
        if (handle.isPresent() && !Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
            giveBack(data, handle.get());
        }
        PosixFiles.fsyncDirectory(dir);
        return new PutResult.Created();
    }

    private PutResult lostRace(String key, Path link, String ourDataName) throws IOException {
        Optional<PosixLinkedObject> winner = PosixLinks.read(root, "put", key, link);
        if (winner.isEmpty()) {
            throw new StorageException(StorageException.Kind.IO, PosixErrors.where("put", key, root)
                    + ": " + link + " exists but is not an object (a directory, or deleted concurrently)");
        }
        // A winner with our metadata links to the very name we wrote; removing it would leave a dangling link. Any
        // other winner holds the key for good, so nothing can link to our name any more.
        if (!winner.get().target().equals(ourDataName)) {
            Files.deleteIfExists(link.resolveSibling(ourDataName));
        }
        return new PutResult.Exists(winner.get().meta());
    }

    /**
     * Removes data file {@code data} unless {@code link} points to it; gives it back from {@code handle} (another
     * name of the same content) if a racing put linked to it meanwhile. Cannot tell = keep.
     *
     * @return whether it was removed (and stayed removed)
     */
    static boolean removeUnlinked(Path link, Path data, Path handle) throws IOException {
        String dataName = data.getFileName().toString();
        if (PosixLinks.linksTo(link, dataName) || !Files.deleteIfExists(data)) {
            return false;
        }
        if (PosixLinks.linksTo(link, dataName)) {
            giveBack(data, handle);
            PosixFiles.fsyncDirectory(data.getParent()); // the racer may have fsync'd before we gave it back
            return false;
        }
        return true;
    }

    private static void giveBack(Path data, Path handle) throws IOException {
        try {
            Files.createLink(data, handle);
        } catch (FileAlreadyExistsException e) {
            // Another put gave back its own copy of the same content first.
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Best effort: the daemon's next start or walstow expire removes it (it is hidden, and never linked).
        }
    }
}
