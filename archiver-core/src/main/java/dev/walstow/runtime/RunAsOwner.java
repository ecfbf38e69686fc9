package dev.walstow.runtime;

import com.sun.security.auth.module.UnixSystem;
import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A command that writes the repository, the spool or a data directory runs as the OS user that owns them, or not
 * at all. Run as root, {@code walstow init} or {@code backup} would leave root-owned objects in a repository that
 * PostgreSQL's archive_command (run as postgres) must add to, and {@code expire}, {@code info} and {@code verify} as
 * postgres would then fail with "permission denied", far from the cause. So every writing command asks here first,
 * before it writes anything, and is refused with one line that names the owner and the exact command to run instead.
 *
 * <p>The places are checked in the order given; the first is the one whose owner a user most likely meant (the data
 * directory: PostgreSQL itself runs as its owner). A place that does not exist yet is skipped: whoever creates it owns
 * it. Reading commands ({@code info}, {@code verify}) write nothing and are not checked.
 */
public final class RunAsOwner {

    /**
     * Something a command is about to write into.
     *
     * @param what what it is to a user, e.g. "the data directory"
     * @param readByPostgres whether PostgreSQL itself reads what is written there (a data directory, the spool)
     */
    public record Place(Path path, String what, boolean readByPostgres) {
        public static Place dataDirectory(Path path) {
            return new Place(path, "the data directory", true);
        }

        public static Place repository(Path path) {
            return new Place(path, "the repository", false);
        }
    }

    /** The command as the user ran it, for the hint: {@code name} and every argument after {@code walstow}. */
    public record Invocation(String name, List<String> arguments) {
        public Invocation {
            arguments = List.copyOf(arguments);
        }

        /** The same command run again as {@code user}: {@code sudo -u USER walstow ARGS}, quoted for a shell. */
        String as(String user) {
            return "sudo -u " + quote(user) + " walstow" + arguments.stream().map(a -> " " + quote(a))
                    .collect(Collectors.joining());
        }
    }

    /** An OS user: its uid and name. */
    public record User(long uid, String name) {
        /** The user this process runs as. */
        public static User current() {
            UnixSystem me = new UnixSystem();
            return new User(me.getUid(), me.getUsername());
        }
    }

    private RunAsOwner() {}

    /** {@link #require(Invocation, List, User)} for the user this process runs as. */
    public static void require(Invocation invocation, List<Place> places) {
        require(invocation, places, User.current());
    }

    /**
     * @throws UserError ({@code WS-USAGE}) when a place that exists belongs to another user than {@code me}
     * @throws LocalIoError when the owner of a place that exists cannot be read
     */
    public static void require(Invocation invocation, List<Place> places, User me) {
        boolean meOwnsOne = false;
        for (Place place : places) {
            Optional<User> owner = ownerOf(place.path());
            if (owner.isEmpty()) {
                continue;
            }
            if (owner.get().uid() == me.uid()) {
                meOwnsOne = true;
                continue;
            }
            User o = owner.get();
            String message = "walstow " + invocation.name() + " runs as " + me.name() + " (uid " + me.uid()
                    + "), but " + place.what() + " " + place.path() + " belongs to " + o.name() + " (uid " + o.uid()
                    + "): " + (place.readByPostgres() ? "files it writes would be unreadable to PostgreSQL"
                    : "objects it writes would be unreadable to walstow run as " + o.name()) + "; nothing was written";
            String hint;
            if (me.uid() == 0 || !meOwnsOne) {
                hint = invocation.as(o.name());
            } else {
                // This user owns what came first (the data directory): the odd one out is this place.
                hint = "give " + place.path() + " to " + me.name() + ", who owns the rest: chown -R " + quote(me.name())
                        + ": " + quote(place.path().toString());
            }
            throw UserError.usage(message, hint);
        }
    }

    /** The owner of {@code path} (links followed), or empty if it does not exist. */
    static Optional<User> ownerOf(Path path) {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try {
            long uid = ((Number) Files.getAttribute(path, "unix:uid")).longValue();
            return Optional.of(new User(uid, Files.getOwner(path).getName()));
        } catch (IOException | UnsupportedOperationException e) {
            throw new LocalIoError("cannot read the owner of " + path + ": " + Failures.describe(e),
                    "check that it exists and that this user may look at it", e instanceof IOException io ? io : null);
        }
    }

    /** {@code s} as one shell word. */
    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./=+:@%,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
