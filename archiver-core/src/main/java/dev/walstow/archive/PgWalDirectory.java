package dev.walstow.archive;

import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The cluster's pg_wal directory, resolved once, and the check that a %p given by PostgreSQL stays inside it.
 * PostgreSQL runs archive/restore commands with the data directory as working directory and passes %p relative to
 * it, so a working directory that is a data directory wins; {@code [postgres] data} is the fallback for manual
 * runs. (The other order would break a restore into a new directory on a host whose configuration names the
 * original cluster: every %p would look "outside pg_wal".)
 *
 * <p>Why the check matters for archive-get: it writes wherever %p points. A restore_command line with a typo, or
 * a hand-run command, must not overwrite a file outside pg_wal.
 */
public final class PgWalDirectory {
    private final Optional<Path> dataDirectory;
    private final Optional<Path> realPgWal;

    private PgWalDirectory(Optional<Path> dataDirectory, Optional<Path> realPgWal) {
        this.dataDirectory = dataDirectory;
        this.realPgWal = realPgWal;
    }

    /** @param dataDirectory configured data directory, used when the working directory is not one */
    public static PgWalDirectory locate(Optional<Path> dataDirectory, Path workingDirectory) {
        Optional<Path> data = isDataDirectory(workingDirectory) ? Optional.of(workingDirectory)
                : dataDirectory.filter(PgWalDirectory::isDataDirectory);
        if (data.isEmpty()) {
            return new PgWalDirectory(Optional.empty(), Optional.empty());
        }
        Path pgWal = data.get().resolve("pg_wal");
        try {
            return new PgWalDirectory(data, Optional.of(pgWal.toRealPath()));
        } catch (IOException e) {
            throw new LocalIoError("cannot resolve " + pgWal + ": " + Failures.describe(e),
                    "check permissions of the data directory", e);
        }
    }

    private static boolean isDataDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve("PG_VERSION")) && Files.isDirectory(dir.resolve("pg_wal"));
    }

    /** The cluster's data directory, if one was found (not the parent of pg_wal, which may be a symbolic link). */
    public Optional<Path> dataDirectory() {
        return dataDirectory;
    }

    /**
     * @param given %p as PostgreSQL passed it
     * @param allowAnywhere the operator asked to lift the check (manual use)
     * @return the absolute path to use
     */
    public Path check(Path given, boolean allowAnywhere) {
        Path absolute = given.toAbsolutePath().normalize();
        if (allowAnywhere) {
            return absolute;
        }
        if (realPgWal.isEmpty()) {
            throw UserError.usage("cannot tell where pg_wal is: the working directory is not a PostgreSQL data "
                    + "directory and [postgres] data is not set to one",
                    "set [postgres] data in the configuration, or pass --allow-outside-pg-wal for manual use");
        }
        Path parent = absolute.getParent();
        Path realParent;
        try {
            realParent = parent.toRealPath();
        } catch (IOException e) {
            throw UserError.usage(given + ": directory " + parent + " does not exist",
                    "pass the %p that PostgreSQL gives (a path inside pg_wal)");
        }
        if (!realParent.equals(realPgWal.get())) {
            throw UserError.usage(given + " is outside " + realPgWal.get() + "; walstow only reads and writes WAL "
                    + "inside pg_wal", "use %p in archive_command/restore_command, or pass --allow-outside-pg-wal "
                    + "for manual use");
        }
        return realParent.resolve(absolute.getFileName());
    }
}
