package dev.walstow.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import dev.walstow.runtime.RunAsOwner.Invocation;
import dev.walstow.runtime.RunAsOwner.Place;
import dev.walstow.runtime.RunAsOwner.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may run a writing command: the owner of what it writes. Needs root, to give directories away. */
class RunAsOwnerTest {
    private static final int OTHER_UID = 65534;
    private static final Invocation BACKUP = new Invocation("backup",
            List.of("--config", "/etc/walstow/main.toml", "backup", "--pgdata", "/srv/my data"));

    @TempDir
    Path dir;

    private Path data;
    private Path repo;
    private String otherName;

    @BeforeEach
    void places() throws IOException {
        assumeTrue(User.current().uid() == 0, "needs root to give a directory to another uid");
        data = Files.createDirectory(dir.resolve("data"));
        repo = Files.createDirectory(dir.resolve("repo"));
        Files.setAttribute(data, "unix:uid", OTHER_UID);
        otherName = Files.getOwner(data).getName();
    }

    @Test
    @DisplayName("root is refused on a data directory of another user, in one WS-USAGE line whose hint repeats the "
            + "command as that user")
    void rootRefused() {
        assertThatThrownBy(() -> RunAsOwner.require(BACKUP, List.of(Place.dataDirectory(data),
                Place.repository(repo)))).isInstanceOfSatisfying(UserError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.oneLine()).startsWith("[WS-USAGE] walstow backup runs as root (uid 0), but the data "
                            + "directory " + data + " belongs to " + otherName + " (uid " + OTHER_UID + "): files it "
                            + "writes would be unreadable to PostgreSQL; nothing was written")
                            .endsWith("HINT: sudo -u " + otherName + " walstow --config /etc/walstow/main.toml backup "
                                    + "--pgdata '/srv/my data'")
                            .doesNotContain("\n");
                });
    }

    @Test
    @DisplayName("the owner of every place passes, and a place that does not exist yet is no obstacle")
    void ownerPasses() {
        User owner = new User(OTHER_UID, otherName);
        assertThatCode(() -> RunAsOwner.require(BACKUP, List.of(Place.dataDirectory(data),
                Place.repository(dir.resolve("not-yet"))), owner)).doesNotThrowAnyException();
        assertThatCode(() -> RunAsOwner.require(BACKUP, List.of(Place.repository(repo)))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("the data directory's owner is refused on a repository of another user, and told to give it the "
            + "repository")
    void foreignRepositoryOfTheOwner() {
        User owner = new User(OTHER_UID, otherName);
        assertThatThrownBy(() -> RunAsOwner.require(new Invocation("archive-push", List.of("archive-push",
                "pg_wal/000000010000000000000001")), List.of(Place.dataDirectory(data), Place.repository(repo)),
                owner)).isInstanceOfSatisfying(UserError.class, e -> assertThat(e.oneLine())
                        .contains("the repository " + repo + " belongs to root (uid 0): objects it writes would be "
                                + "unreadable to walstow run as root")
                        .endsWith("HINT: give " + repo + " to " + otherName + ", who owns the rest: chown -R "
                                + otherName + ": " + repo));
    }
}
