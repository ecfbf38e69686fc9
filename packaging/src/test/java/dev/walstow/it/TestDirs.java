package dev.walstow.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories the postgres OS user can use (the test JVM runs as root). */
final class TestDirs {
    private TestDirs() {}

    /** A fresh base directory under /tmp that postgres can traverse. */
    static Path base(String name) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "walstow-" + name + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory owned by postgres, mode 0700 (PostgreSQL refuses data directories others can read). */
    static void createOwned(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chownPostgres(dir);
    }

    static void chownPostgres(Path path) {
        Proc.run(null, java.util.Map.of(), 60, java.util.List.of("chown", "-R", "postgres:postgres", path.toString()))
                .ok();
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
