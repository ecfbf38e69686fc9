package dev.walstow.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Local file chores that several packages need: one copy each. */
public final class LocalFiles {
    private LocalFiles() {}

    /**
     * Deletes a file if it is there, ignoring failure: for temporary and marker files whose leftover is harmless
     * (hidden, and removed by a later sweep), where reporting would only hide the error that matters.
     */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // see above: best effort by design
        }
    }

    /** Deletes a directory tree without following symbolic links (a link is removed, never its target). */
    public static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    deleteTree(entry);
                }
            }
        }
        Files.deleteIfExists(path);
    }
}
