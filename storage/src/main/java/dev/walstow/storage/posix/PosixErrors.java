package dev.walstow.storage.posix;

import dev.walstow.agent.Failures;
import dev.walstow.storage.StorageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns {@link IOException}s of a {@link PosixObjectStore} into {@link StorageException}s whose kind tells the caller
 * what to do and whose message names the operation, the key and the repository path.
 *
 * <p>The JDK reports most errno values only as text ({@code strerror}), so the classification matches the English
 * messages of glibc; anything unrecognised becomes {@link StorageException.Kind#IO}, which is retryable.
 */
final class PosixErrors {
    private static final String COPY_HINT =
            "if the repository was copied, copy repositories with cp -a or rsync -a so symlinks are preserved";

    private PosixErrors() {}

    static StorageException map(String op, String key, Path root, IOException e) {
        if (e instanceof StorageException se) {
            return se;
        }
        if (!Files.isDirectory(root)) {
            return missingRoot(op, key, root, e);
        }
        return new StorageException(classify(e), where(op, key, root) + ": " + Failures.describe(e), e);
    }

    static StorageException missingRoot(String op, String key, Path root, Throwable cause) {
        return new StorageException(StorageException.Kind.UNAVAILABLE, where(op, key, root)
                + ": repository path " + root + " does not exist or is not a directory (not mounted?)", cause);
    }

    static StorageException corrupt(String op, String key, Path root, String found) {
        return new StorageException(StorageException.Kind.CORRUPT, where(op, key, root) + ": found " + found
                + " where a symbolic link to a hidden data file was expected; " + COPY_HINT);
    }

    static String where(String op, String key, Path root) {
        return op + (key.isEmpty() ? "" : " " + key) + " in posix:" + root;
    }

    private static StorageException.Kind classify(IOException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            text = fse.getReason() + " " + text;
        }
        if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
            return StorageException.Kind.NO_SPACE;
        }
        if (e instanceof AccessDeniedException || text.contains("Permission denied")
                || text.contains("Operation not permitted") || text.contains("Read-only file system")) {
            return StorageException.Kind.PERMISSION_DENIED;
        }
        return StorageException.Kind.IO;
    }
}
