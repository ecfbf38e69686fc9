package dev.walstow.codec;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Refuses secret files (a secret key, a passphrase) that other users can read or change, before walstow reads them.
 * The rule is PostgreSQL's for {@code ssl_key_file}, which a DBA already knows: no access at all for group and
 * others ({@code 0600} or less), except that a file owned by root may be readable by its group ({@code 0640} or
 * less), so that root can own the key and the postgres group read it.
 */
public final class KeyFilePermissions {
    private KeyFilePermissions() {}

    /**
     * Throws a {@link ErrorCode#KEY} error naming {@code what} (e.g. "secret key file") if {@code file} is open to
     * other users. A file that cannot be examined (missing, unreadable directory, no POSIX permissions) passes: the
     * read that follows reports that.
     */
    public static void requirePrivate(Path file, String what) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        Set<PosixFilePermission> mode = attributes.permissions();
        boolean rootOwned = "root".equals(attributes.owner().getName());
        boolean othersRead = mode.contains(PosixFilePermission.OTHERS_READ)
                || (!rootOwned && mode.contains(PosixFilePermission.GROUP_READ));
        boolean othersChange = mode.contains(PosixFilePermission.OTHERS_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_EXECUTE)
                || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.GROUP_EXECUTE);
        if (othersRead || othersChange) {
            throw new UserError(ErrorCode.KEY, what + " " + file + " is " + (othersRead ? "readable" : "writable")
                    + " by other users (mode " + octal(mode) + ")", "chmod 600 " + file
                    + " (a file owned by root may be 640, readable by the walstow user's group)");
        }
    }

    /** {@code 0644} for rw-r--r--. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", bits);
    }
}
