package dev.walstow.daemon.spool;

import dev.walstow.storage.Sha256;
import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The configuration file a daemon runs with, as it was when the daemon read it: the fingerprint it publishes in
 * {@code serving} (calls compare theirs with it) and the SHA-256 of the text it parsed (to tell an edit from a
 * {@code touch}).
 *
 * @param file the file, absolute
 * @param fingerprint {@link ConfigFile#fingerprint} taken just before the text was read: an edit in between shows
 *     as a fingerprint that no longer matches, never as a match with text the daemon did not parse
 * @param contentSha256 of the text the daemon parsed
 */
public record ConfigStamp(Path file, String fingerprint, String contentSha256) {

    /** The stamp and the text to parse. */
    public record Loaded(String text, ConfigStamp stamp) {}

    public static Loaded load(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Optional<String> fingerprint = ConfigFile.fingerprint(absolute);
        String text = ConfigLoader.read(absolute);
        // No fingerprint (a file system without inode numbers): nothing will match, calls take the slow path.
        return new Loaded(text, new ConfigStamp(absolute, fingerprint.orElse(""), sha256(text)));
    }

    /**
     * @return this stamp if the file is unchanged; a stamp with the file's new fingerprint if only that changed (a
     *     {@code touch}, a chmod, the same text written again); empty if its text changed or it cannot be read, so
     *     the daemon no longer knows which repository calls mean
     */
    Optional<ConfigStamp> stillSame() {
        Optional<String> now = ConfigFile.fingerprint(file);
        if (now.isPresent() && now.get().equals(fingerprint)) {
            return Optional.of(this);
        }
        try {
            // Fingerprint first, text second, as in load(): a change in between fails the next comparison.
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return now.isPresent() && sha256(text).equals(contentSha256)
                    ? Optional.of(new ConfigStamp(file, now.get(), contentSha256)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String sha256(String text) {
        return Sha256.hex(text);
    }
}
