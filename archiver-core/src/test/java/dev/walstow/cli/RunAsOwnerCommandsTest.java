package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every command that writes the repository, the spool or a data directory, run by root on places of another user:
 * refused with exit 2 and one line naming the owner and the command to run instead, before writing anything.
 */
class RunAsOwnerCommandsTest {
    private static final int OTHER_UID = 65534;

    private Path base;
    private Path data;
    private Path repo;
    private String other;

    @BeforeEach
    void places() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give directories away");
        base = TestCluster.tempBase();
        data = Files.createDirectories(base.resolve("data/pg_wal"));
        data = data.getParent();
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Files.write(data.resolve("pg_wal/000000010000000000000001"), new byte[1024]);
        giveAway(data);
        other = Files.getOwner(data).getName();
        repo = base.resolve("repo");
    }

    @AfterEach
    void cleanUp() {
        if (base != null) {
            TestCluster.deleteTree(base);
        }
    }

    @Test
    @DisplayName("init as root on another user's data directory is refused and creates no repository")
    void initRefused() throws IOException {
        Path config = config(true);

        Cli r = Cli.run("--config", config.toString(), "init");

        assertRefused(r, "init", "the data directory " + data, "--config " + config + " init");
        assertThat(repo).doesNotExist();
    }

    @Test
    @DisplayName("backup as root on another user's data directory is refused before connecting to PostgreSQL")
    void backupRefused() throws IOException {
        Path config = config(true);

        Cli r = Cli.run("--config", config.toString(), "backup", "--spread-checkpoint");

        assertRefused(r, "backup", "the data directory " + data, "--config " + config + " backup --spread-checkpoint");
        assertThat(repo).doesNotExist();
    }

    @Test
    @DisplayName("archive-push as root of another user's cluster is refused and stores nothing")
    void archivePushRefused() throws IOException {
        Path config = config(true);
        Files.createDirectory(repo);

        Cli r = Cli.run("--config", config.toString(), "archive-push",
                data.resolve("pg_wal/000000010000000000000001").toString());

        assertRefused(r, "archive-push", "the data directory " + data, "archive-push");
        assertThat(entries(repo)).isZero();
    }

    @Test
    @DisplayName("expire as root on another user's repository is refused and deletes nothing")
    void expireRefused() throws IOException {
        Path config = config(false);
        Files.createDirectories(repo.resolve("wal"));
        Files.writeString(repo.resolve("wal/stray"), "x");
        giveAway(repo);

        Cli r = Cli.run("--config", config.toString(), "expire");

        assertRefused(r, "expire", "the repository " + repo, "--config " + config + " expire");
        assertThat(repo.resolve("wal/stray")).exists();
    }

    @Test
    @DisplayName("restore as root into a directory of another user is refused and creates nothing there")
    void restoreRefused() throws IOException {
        Path config = config(false);
        Path target = data.resolve("restored");

        Cli r = Cli.run("--config", config.toString(), "restore", "--pgdata", target.toString());

        assertRefused(r, "restore", "the directory above the restore target " + data, "restore --pgdata " + target);
        assertThat(target).doesNotExist();
    }

    @Test
    @DisplayName("the daemon as root on another user's data directory is refused and creates no spool")
    void daemonRefused() throws IOException {
        Path config = config(true);

        Cli r = Cli.run("--config", config.toString(), "daemon");

        assertRefused(r, "daemon", "the data directory " + data, "--config " + config + " daemon");
        assertThat(data.resolve("pg_wal/.walstow")).doesNotExist();
    }

    private void assertRefused(Cli r, String command, String place, String arguments) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.contains("[WS-")).toList()).as(r.toString()).singleElement()
                .asString().contains("[WS-USAGE] walstow " + command + " runs as root (uid 0), but " + place
                        + " belongs to " + other + " (uid " + OTHER_UID + ")", "nothing was written",
                        "HINT: sudo -u " + other + " walstow ", arguments);
    }

    private Path config(boolean withData) throws IOException {
        return Files.writeString(base.resolve("walstow.toml"), """
                [repository]
                path = "%s"
                [encryption]
                enabled = false
                %s
                """.formatted(repo, withData ? "[postgres]\ndata = \"" + data + "\"" : ""));
    }

    private static void giveAway(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setAttribute(p, "unix:uid", OTHER_UID);
            }
        }
    }

    private static long entries(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.count();
        }
    }
}
