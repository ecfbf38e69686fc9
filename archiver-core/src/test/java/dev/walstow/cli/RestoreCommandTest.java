package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.repo.Repository;
import dev.walstow.restore.SyntheticBackup;
import dev.walstow.storage.posix.PosixObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** walstow restore through the real command line, on a posix repository holding a small synthetic backup. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreCommandTest {
    private Path base;
    private Path repo;

    @BeforeAll
    void repository(@TempDir Path dir) throws IOException {
        base = dir;
        Path pub = base.resolve("archive.pub.asc");
        Path sec = base.resolve("archive.sec.asc");
        KeyGenerator.generate("walstow test", Optional.empty(), pub, sec);
        KeyGenerator.generate("another key", Optional.empty(), base.resolve("other.pub.asc"),
                base.resolve("other.sec.asc"));
        repo = Files.createDirectory(base.resolve("repo"));
        WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub),
                Optional.empty())));
        try (Repository r = new Repository(new PosixObjectStore(repo))) {
            SyntheticBackup.store(r, codec, base.resolve("ts").toString(), 3);
        }
    }

    @Test
    @DisplayName("without a secret key, restore prints one WS-KEY line naming the problem, exits 8 and creates nothing")
    void noSecretKey() throws IOException {
        Path config = config("no-secret.toml", "");
        Path pgdata = base.resolve("restored-no-secret");
        Cli r = Cli.run("--config", config.toString(), "restore", "--pgdata", pgdata.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.err().lines().filter(l -> l.contains("[WS-"))).singleElement().asString()
                .contains("[WS-KEY]", "no [encryption] secret configured", "HINT: configure the secret key")
                .doesNotContain("Exception", "reachable");
        assertThat(r.err()).doesNotContain("Exception", "reachable");
        assertThat(pgdata).doesNotExist();
        assertThat(base.resolve("ts")).doesNotExist();
    }

    @Test
    @DisplayName("with the wrong secret key, restore prints one WS-KEY line and leaves an empty directory empty")
    void wrongSecretKey() throws IOException {
        Path config = config("wrong-secret.toml", "secret = \"" + base.resolve("other.sec.asc") + "\"\n");
        Path pgdata = Files.createDirectory(base.resolve("restored-wrong-secret"));
        Cli r = Cli.run("--config", config.toString(), "restore", "--pgdata", pgdata.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.err().lines().filter(l -> l.contains("[WS-"))).singleElement().asString()
                .contains("[WS-KEY]", "encrypted for key ID").doesNotContain("Exception", "reachable");
        assertThat(pgdata).isEmptyDirectory();
    }

    @Test
    @DisplayName("with the secret key, the options reach the restored directory: remapped tablespace, standby")
    void options() throws IOException {
        Path config = config("secret.toml", "secret = \"" + base.resolve("archive.sec.asc") + "\"\n");
        Path pgdata = base.resolve("restored");
        Cli r = Cli.run("--config", config.toString(), "restore", "--pgdata", pgdata.toString(), "--type", "standby",
                "--tablespace-map", "fast=" + base.resolve("moved"), "--recovery-option", "primary_slot_name=copy",
                "--launcher", "/usr/bin/walstow");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("restored backup " + SyntheticBackup.LABEL);
        assertThat(pgdata.resolve("standby.signal")).exists();
        assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/" + SyntheticBackup.TABLESPACE_OID)))
                .isEqualTo(base.resolve("moved"));
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf"))).contains(
                "restore_command = '/usr/bin/walstow --config " + config + " archive-get %f %p'\n",
                "primary_slot_name = 'copy'\n").doesNotContain("archive_mode");
    }

    @Test
    @DisplayName("an option PostgreSQL would ignore or not read is refused with one WS-USAGE line, exit 2")
    void refusedOptions() throws IOException {
        Path config = config("refused.toml", "secret = \"" + base.resolve("archive.sec.asc") + "\"\n");
        Path pgdata = base.resolve("restored-refused");
        for (String[] args : new String[][] {{"--target-action", "pause"}, {"--archive-mode", "on"},
                {"--target-time", "2026-01-01 00:00:00"}, {"--type", "standby", "--target", "immediate"},
                {"--target-lsn", "1/0"}}) {
            String[] all = Stream.concat(Stream.of("--config", config.toString(), "restore", "--pgdata",
                    pgdata.toString()), Arrays.stream(args)).toArray(String[]::new);
            Cli r = Cli.run(all);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines().filter(l -> l.contains("[WS-"))).as(r.toString()).singleElement().asString()
                    .contains("[WS-USAGE]", "HINT:");
        }
        assertThat(pgdata).doesNotExist();
    }

    private Path config(String name, String secretLine) throws IOException {
        return Files.writeString(base.resolve(name), """
                [repository]
                path = "%s"
                [encryption]
                recipient = "%s"
                %s[retry]
                attempts = 2
                initial-backoff = "1ms"
                max-backoff = "2ms"
                """.formatted(repo, base.resolve("archive.pub.asc"), secretLine));
    }
}
