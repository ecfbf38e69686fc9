package dev.walstow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A data directory made by Debian's PostgreSQL 15 initdb (run as the postgres user: initdb refuses root). No
 * server is started: initdb's first WAL segment is real WAL with a real long page header, which is all these
 * tests need.
 */
final class TestCluster {
    static final Path INITDB = Path.of("/usr/lib/postgresql/15/bin/initdb");

    final Path data;

    private TestCluster(Path data) {
        this.data = data;
    }

    static boolean available() {
        return Files.isExecutable(INITDB);
    }

    static TestCluster create(Path parent, String name) {
        Path data = parent.resolve(name);
        run("install", "-d", "-o", "postgres", "-g", "postgres", data.toString());
        run("runuser", "-u", "postgres", "--", INITDB.toString(), "-D", data.toString(), "-A", "trust",
                "--no-sync", "--no-instructions");
        // The test JVM (root) writes into pg_wal like PostgreSQL would; hand everything to root for simplicity.
        run("chown", "-R", "root:root", data.toString());
        return new TestCluster(data);
    }

    Path pgWal() {
        return data.resolve("pg_wal");
    }

    Path firstSegment() {
        return pgWal().resolve("000000010000000000000001");
    }

    static Path tempBase() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "walstow-cli-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
