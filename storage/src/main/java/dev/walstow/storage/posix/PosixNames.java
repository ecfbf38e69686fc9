package dev.walstow.storage.posix;

import dev.walstow.storage.LocalProcess;
import dev.walstow.storage.ObjectMeta;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the hidden files beside each key in a {@link PosixObjectStore} directory. The data file name carries
 * the {@link ObjectMeta}, so the metadata is read with one {@code readlink} and can never disagree with the object.
 */
final class PosixNames {
    // Codec and size contain no dot and the SHA-256 is fixed-width, so parsing from the right is unambiguous
    // even though key components may contain dots.
    private static final Pattern DATA_SUFFIX =
            Pattern.compile("\\.([0-9a-f]{64})\\.(0|[1-9][0-9]{0,18})\\.([a-z0-9][a-z0-9+]{0,31})");
    private static final Pattern DATA_FILE =
            Pattern.compile("\\.([A-Za-z0-9_-][A-Za-z0-9._-]*)" + DATA_SUFFIX.pattern());
    // The writer part is optional: versions before it, and hosts without /proc, name temp files without it.
    private static final Pattern TEMP_FILE = Pattern.compile(
            "\\.[A-Za-z0-9_-][A-Za-z0-9._-]*\\.tmp\\.[0-9a-f]{16}(?:\\.([0-9a-f]{32}-[0-9-]{5,62}))?");

    private PosixNames() {}

    /** {@code .NAME.<sha256>.<plainSize>.<codec>}: what the key's symbolic link points to. */
    static String dataName(String name, ObjectMeta meta) {
        return "." + name + "." + meta.sha256() + "." + meta.plainSize() + "." + meta.codec();
    }

    /**
     * {@code .NAME.tmp.<random>.<writer>}: content being written, or a put's own name for its data file until the
     * put is over; never the target of a link. The writer ({@link LocalProcess#token}) lets the next daemon start
     * tell a dead process's leftovers from a live one's; at most 222 characters for a 128-character NAME.
     */
    static String tempName(String name) {
        String random = String.format("%016x", ThreadLocalRandom.current().nextLong());
        return "." + name + ".tmp." + random + LocalProcess.current().map(w -> "." + w.token()).orElse("");
    }

    /** The writer named in temporary file name {@code fileName}; empty for other files and for older temp names. */
    static Optional<LocalProcess> tempWriter(String fileName) {
        Matcher m = TEMP_FILE.matcher(fileName);
        return m.matches() && m.group(1) != null ? LocalProcess.parse(m.group(1)) : Optional.empty();
    }

    /** The key component whose link may point to data file {@code fileName}; empty if it is no data file name. */
    static Optional<String> dataFileKeyName(String fileName) {
        Matcher m = DATA_FILE.matcher(fileName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The metadata encoded in {@code target}, or empty if it is not the data file name of key component {@code name}. */
    static Optional<ObjectMeta> parse(String name, String target) {
        String prefix = "." + name;
        if (!target.startsWith(prefix)) {
            return Optional.empty();
        }
        Matcher m = DATA_SUFFIX.matcher(target.substring(prefix.length()));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectMeta(m.group(1), Long.parseLong(m.group(2)), m.group(3)));
        } catch (IllegalArgumentException e) { // size beyond Long.MAX_VALUE
            return Optional.empty();
        }
    }

    /** Whether {@code fileName} is one of our hidden files, i.e. something {@code cleanAbandonedUploads} may remove. */
    static boolean isHiddenStoreFile(String fileName) {
        return DATA_FILE.matcher(fileName).matches() || TEMP_FILE.matcher(fileName).matches();
    }
}
