package dev.walstow.daemon.spool;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.WalstowException;
import dev.walstow.runtime.LocalFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pushed/} and {@code failed/} files of {@link SpoolLayout}.
 *
 * <p>{@code pushed/NAME} is a safety contract with the launcher, which answers archive-push by itself when it
 * exists with the segment's mtime. So it is created under a hidden temporary name, given the mtime, and renamed
 * into place only after the repository confirmed durability; the rename makes it appear whole or not at all. It is
 * not fsync'd: after a power loss it may be missing (the push is simply redone and found identical), but it can
 * never exist for a segment that is not durable.
 */
public final class StatusFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StatusFiles.class);

    /** What {@code failed/NAME} records. */
    record RecordedFailure(ErrorCode code, String oneLine) {}

    private final SpoolLayout layout;

    public StatusFiles(SpoolLayout layout) {
        this.layout = layout;
    }

    /** The segment's mtime, taken before it is read for pushing; that is the version the marker vouches for. */
    public static FileTime mtime(Path segment) {
        try {
            return Files.getLastModifiedTime(segment);
        } catch (IOException e) {
            throw new LocalIoError("cannot read " + segment + ": " + Failures.describe(e),
                    "pass %p unchanged; check pg_wal", e);
        }
    }

    /** Whether {@code pushed/NAME} vouches for the segment as it is now. */
    public boolean pushedMatches(String name, Path segment) {
        try {
            FileTime marker = Files.getLastModifiedTime(layout.pushed(name), LinkOption.NOFOLLOW_LINKS);
            return Files.isRegularFile(layout.pushed(name), LinkOption.NOFOLLOW_LINKS)
                    && marker.equals(Files.getLastModifiedTime(segment));
        } catch (IOException e) {
            return false;
        }
    }

    /** Call only once the repository confirmed that NAME is durable. */
    public void markPushed(String name, FileTime segmentMtime) throws IOException {
        Path temp = layout.pushedDirectory().resolve(tempName(name));
        try {
            Files.createFile(temp);
            Files.setLastModifiedTime(temp, segmentMtime);
            Files.move(temp, layout.pushed(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        Files.deleteIfExists(layout.failed(name));
    }

    public void markFailed(String name, WalstowException error) {
        Path temp = layout.failedDirectory().resolve(tempName(name));
        try {
            Files.writeString(temp, error.code().name() + " " + error.oneLine() + "\n", StandardCharsets.UTF_8);
            Files.move(temp, layout.failed(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Only a report for people and agents; the failure itself is still answered from memory.
            LOG.warn("cannot record the failure of {} in {}: {}", name, layout.failedDirectory(), Failures.describe(e));
        } finally {
            LocalFiles.deleteQuietly(temp);
        }
    }

    Optional<RecordedFailure> failure(String name) {
        try {
            String line = Files.readString(layout.failed(name), StandardCharsets.UTF_8).strip();
            int space = line.indexOf(' ');
            return Optional.of(new RecordedFailure(ErrorCode.valueOf(line.substring(0, space)),
                    line.substring(space + 1)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(new RecordedFailure(ErrorCode.INTERNAL, "unreadable " + layout.failed(name)));
        }
    }

    /**
     * Removes markers whose segment PostgreSQL has removed or recycled, and leftovers of interrupted writes.
     *
     * @return how many files were removed
     */
    public int removeOrphans() {
        return removeOrphans(layout.pushedDirectory()) + removeOrphans(layout.failedDirectory());
    }

    private int removeOrphans(Path dir) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean orphan = name.startsWith(".") ? isOld(file)
                        : !Files.exists(layout.pgWal().resolve(name), LinkOption.NOFOLLOW_LINKS);
                if (orphan && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean {}: {}", dir, Failures.describe(e));
        }
        return removed;
    }

    /**
     * A temporary file older than a minute belongs to a write that will never finish. Judged by ctime, not mtime:
     * a pushed/ marker is given the segment's (old) mtime before it is renamed into place, so by mtime a write in
     * progress would look abandoned.
     */
    private static boolean isOld(Path file) throws IOException {
        FileTime changed = (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        return changed.toMillis() < System.currentTimeMillis() - 60_000;
    }

    private static String tempName(String name) {
        return "." + name + "." + UUID.randomUUID() + ".tmp";
    }
}
