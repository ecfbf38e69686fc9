package dev.walstow.storage.posix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.storage.StorageException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixErrorsTest {
    @TempDir
    Path root;

    @Test
    @DisplayName("a failure names the operation, the key and the repository, then what went wrong in words")
    void words() {
        String file = root.resolve("wal/x").toString();
        StorageException denied = PosixErrors.map("put", "wal/x", root, new AccessDeniedException(file));
        assertThat(denied.kind()).isEqualTo(StorageException.Kind.PERMISSION_DENIED);
        assertThat(denied.getMessage()).isEqualTo("put wal/x in posix:" + root + ": permission denied: " + file);
        StorageException missing = PosixErrors.map("get", "wal/x", root, new NoSuchFileException(file));
        assertThat(missing.getMessage()).isEqualTo("get wal/x in posix:" + root + ": no such file: " + file);
        StorageException full = PosixErrors.map("put", "wal/x", root,
                new FileSystemException(file, null, "No space left on device"));
        assertThat(full.kind()).isEqualTo(StorageException.Kind.NO_SPACE);
        assertThat(full.getMessage()).endsWith(": " + file + ": No space left on device");
        for (StorageException e : new StorageException[] {denied, missing, full}) {
            assertThat(e.getMessage()).doesNotContain("java.").doesNotContain("Exception");
        }
    }
}
