package dev.walstow.agent.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Which configuration file a call uses, and its fingerprint.
 *
 * <p>The rule ({@code --config}, else {@code $WALSTOW_CONFIG} when not blank, else {@link #DEFAULT_PATH}) is the
 * one every walstow command follows, and bin/walstow repeats it in C. The fingerprint is what the daemon publishes
 * in {@link Serving}: a call answers from the daemon's state only when its own configuration file has the same
 * fingerprint, i.e. is the very file, unchanged, that the daemon loaded. Device and inode catch another file (a
 * different {@code --config}, a swapped symbolic link), size and mtime an edit, ctime an edit whose mtime was put
 * back ({@code cp -p}, {@code touch -r}). A false mismatch (chmod) only sends calls the slow way until the daemon
 * republishes; a false match would answer for another repository, so nothing weaker than this is compared.
 */
public final class ConfigFile {
    public static final Path DEFAULT_PATH = Path.of("/etc/walstow/walstow.toml");
    public static final String ENV_VAR = "WALSTOW_CONFIG";

    private ConfigFile() {}

    /** @param option the {@code --config} value, if given */
    public static Path locate(Optional<Path> option, Map<String, String> environment) {
        if (option.isPresent()) {
            return option.get();
        }
        String env = environment.get(ENV_VAR);
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_PATH;
    }

    /**
     * {@code dev:ino:size:mtime:ctime} of the file a path leads to (symbolic links followed), times as
     * {@code seconds.nanoseconds} (nine digits). Same text as walstow.c's {@code config_fingerprint}.
     *
     * @return empty when the file cannot be examined (missing, unreadable directory): nothing then matches
     */
    public static Optional<String> fingerprint(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return Optional.of(Long.toUnsignedString((Long) a.get("dev")) + ":"
                    + Long.toUnsignedString((Long) a.get("ino")) + ":" + a.get("size") + ":"
                    + time((FileTime) a.get("lastModifiedTime")) + ":" + time((FileTime) a.get("ctime")));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static String time(FileTime t) {
        Instant i = t.toInstant();
        String nanos = Integer.toString(i.getNano());
        return i.getEpochSecond() + "." + "0".repeat(9 - nanos.length()) + nanos;
    }
}
