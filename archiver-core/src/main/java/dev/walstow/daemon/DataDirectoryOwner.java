package dev.walstow.daemon;

import com.sun.security.auth.module.UnixSystem;
import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon runs as the OS user that owns the data directory, or not at all. Run as root it would create its spool,
 * prefetched WAL and repository objects as root: PostgreSQL (and every walstow call it makes) could then no longer
 * read or replace them, and archiving or recovery would fail later, far from the cause.
 */
final class DataDirectoryOwner {
    private DataDirectoryOwner() {}

    static void require(Path dataDirectory) {
        long owner;
        String ownerName;
        try {
            owner = ((Number) Files.getAttribute(dataDirectory, "unix:uid")).longValue();
            ownerName = Files.getOwner(dataDirectory).getName();
        } catch (IOException | UnsupportedOperationException e) {
            throw new LocalIoError("cannot read the owner of the data directory " + dataDirectory + ": "
                    + Failures.describe(e),
                    "check that the data directory exists and --pgdata / [postgres] data names it",
                    e instanceof IOException io ? io : null);
        }
        UnixSystem me = new UnixSystem();
        if (me.getUid() != owner) {
            throw UserError.usage("walstow daemon runs as " + me.getUsername() + " (uid " + me.getUid()
                    + "), but the data directory " + dataDirectory + " belongs to " + ownerName + " (uid " + owner
                    + "): what it writes would be unreadable for PostgreSQL", "run it as that user: sudo -u "
                    + ownerName + " walstow daemon (the systemd unit sets User=" + ownerName + ")");
        }
    }
}
