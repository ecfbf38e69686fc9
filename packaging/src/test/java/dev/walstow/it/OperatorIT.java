package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A DBA operates walstow without surprises, on real PostgreSQL 15 and the packaged distribution: root is refused by
 * init and backup (nothing root-owned is left) and postgres then succeeds; verify on the archiving host (recipient
 * only) passes and says what it did not check, while a wrong secret key is one key error; check names broken keys
 * and a configuration archive_command does not use, and, run as root, tests archive_command as postgres.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorIT {
    private Path base;
    private Path repo;
    private WalstowDist walstow;
    private PgCluster primary;

    @BeforeAll
    void cluster() {
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required (apt-get install postgresql)");
        base = TestDirs.base("operator");
        TestDirs.createOwned(base.resolve("var"));
        repo = base.resolve("var/repo");
        primary = PgCluster.initdb(base.resolve("primary"), WalstowDist.ENV);
        walstow = WalstowDist.withKeys(base, repo, primary, "[backup]\narchive-timeout = \"120s\"\n");
        primary.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'");
    }

    @AfterAll
    void cleanUp() {
        if (primary != null) {
            primary.stop();
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @Order(1)
    @DisplayName("walstow init as root is refused in one line naming sudo -u postgres and creates no repository; "
            + "as postgres it binds the repository")
    void initAsRootRefused() {
        Proc root = asRoot("init");

        assertRefused(root, "init");
        assertThat(repo).doesNotExist();
        walstow.run(null, "init").ok();
        primary.start();
    }

    @Test
    @Order(2)
    @DisplayName("walstow backup as root is refused and leaves no root-owned object; as postgres it completes and "
            + "archive_command keeps working")
    void backupAsRootRefused() {
        Proc root = asRoot("backup");
        System.out.println("backup as root:\n" + root.err());

        assertRefused(root, "backup");
        assertThat(rootOwned(repo)).isEmpty();
        assertThat(walstow.run(null, "backup").ok().out()).contains("complete");
        primary.switchAndAwaitArchived(Duration.ofSeconds(120));
        assertThat(rootOwned(repo)).isEmpty();
    }

    @Test
    @Order(3)
    @DisplayName("verify on the archiving host (recipient only) says once, first, that content was not decrypted, "
            + "and passes; with the secret key it decrypts and passes")
    void verifyWithoutSecret() {
        Path archiving = configWithout("secret = ", "archiving.toml");

        Proc p = asPostgres(archiving, "verify");

        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).startsWith("content not decrypted: no secret key configured ([encryption] secret); "
                + "checked presence, sizes, metadata and WAL continuity\n")
                .contains("present and consistent (content not decrypted), 0 missing, 0 corrupt, 0 WAL gaps")
                .doesNotContain("corrupt: ");
        Proc full = walstow.run(null, "verify");
        assertThat(full.exit()).as(full.toString()).isZero();
        assertThat(full.out()).contains("objects found intact").doesNotContain("content not decrypted");
    }

    @Test
    @Order(4)
    @DisplayName("verify with a secret key of another pair ends with one WS-KEY line, exit 8, and no corrupt lines")
    void verifyWithWrongSecret() {
        Path keys = base.resolve("keys");
        walstow.runBare("keygen", "--public-key", keys.resolve("other.pub.asc").toString(), "--secret-key",
                keys.resolve("other.sec.asc").toString()).ok();
        Path wrong = configReplacing("archive.sec.asc", "other.sec.asc", "wrong-secret.toml");

        Proc p = asPostgres(wrong, "verify");

        assertThat(p.exit()).as(p.toString()).isEqualTo(8);
        assertThat(p.out()).doesNotContain("corrupt: ");
        assertThat((p.out() + p.err()).lines().filter(l -> l.contains("[WS-"))).as(p.toString()).singleElement()
                .asString().contains("[WS-KEY]", "cannot be decrypted with the configured key");
    }

    @Test
    @Order(5)
    @DisplayName("check run as root passes: keys, archive_command run as postgres the way PostgreSQL runs it, a "
            + "forced switch archived; with no daemon it says so at once")
    void checkAsRootPasses() {
        Proc p = asRoot("check", "--timeout", "60s");
        System.out.println("check as root:\n" + p.out());

        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).contains("ok   keys: recipient", "decrypts it",
                "skip daemon RPO exposure: no daemon running (archiving works in-process, slower)",
                "ok   archive_command works as PostgreSQL runs it: run as postgres in " + primary.data,
                "with PostgreSQL's environment", "ok   forced a segment switch", "all checks passed");
        assertThat(rootOwned(repo)).isEmpty();
    }

    @Test
    @Order(6)
    @DisplayName("check names the broken key first: a missing recipient file, garbage, a secret key as recipient")
    void checkNamesBrokenKeys() throws IOException {
        Path keys = base.resolve("keys");
        Path garbage = keys.resolve("garbage.asc");
        WalstowDist.write(garbage, "not a key\n");
        record Case(String recipient, String says) {}
        for (Case c : List.of(new Case(keys.resolve("missing.asc").toString(), "[WS-LOCAL-IO] Cannot read public key"),
                new Case(garbage.toString(), "[WS-CONFIG] Key file " + garbage + " holds no OpenPGP key"),
                new Case(keys.resolve("archive.sec.asc").toString(), "holds a secret key where the public key"))) {
            Path config = configReplacing(keys.resolve("archive.pub.asc").toString(), c.recipient(), "broken.toml");

            Proc p = asPostgres(config, "check", "--timeout", "20s");
            System.out.println("check with recipient " + c.recipient() + ":\n" + p.out());

            assertThat(p.exit()).as(p.toString()).isEqualTo(1);
            List<String> fails = p.out().lines().filter(l -> l.startsWith("FAIL")).toList();
            assertThat(fails).as(p.toString()).isNotEmpty();
            assertThat(fails.getFirst()).startsWith("FAIL keys: ").contains(c.says());
            assertThat(p.out()).doesNotContain("all checks passed");
        }
    }

    @Test
    @Order(7)
    @DisplayName("check with another configuration than archive_command's names both files at once, without waiting "
            + "for a segment")
    void checkNamesTheOtherConfiguration() {
        Path other = configWithout("secret = ", "other.toml");

        Proc p = asPostgres(other, "check", "--timeout", "60s");
        System.out.println("check with another configuration:\n" + p.out());

        assertThat(p.exit()).as(p.toString()).isEqualTo(1);
        assertThat(p.out()).contains("FAIL archive_command uses the configuration " + walstow.config
                + " (its --config), but walstow check read " + other, "skip forced segment switch: archive_command "
                + "fails (above)");
    }

    private Proc asRoot(String... args) {
        List<String> command = new ArrayList<>(List.of(walstow.launcher.toString(), "--config",
                walstow.config.toString()));
        command.addAll(List.of(args));
        return Proc.run(null, WalstowDist.ENV, 180, command);
    }

    private Proc asPostgres(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of(walstow.launcher.toString(), "--config", config.toString()));
        command.addAll(List.of(args));
        return Proc.asPostgres(null, WalstowDist.ENV, 180, command.toArray(String[]::new));
    }

    private static void assertRefused(Proc p, String command) {
        assertThat(p.exit()).as(p.toString()).isEqualTo(2);
        assertThat((p.out() + p.err()).lines().filter(l -> l.contains("[WS-"))).as(p.toString()).singleElement()
                .asString().contains("[WS-USAGE] walstow " + command + " runs as root (uid 0), but the data directory",
                        "belongs to postgres", "nothing was written", "HINT: sudo -u postgres walstow --config ",
                        " " + command);
    }

    /** The main configuration without its line starting with {@code prefix}, as a new file. */
    private Path configWithout(String prefix, String name) {
        String text = read(walstow.config).lines().filter(l -> !l.startsWith(prefix))
                .reduce("", (a, l) -> a + l + "\n");
        Path file = base.resolve(name);
        WalstowDist.write(file, text);
        return file;
    }

    private Path configReplacing(String from, String to, String name) {
        Path file = base.resolve(name);
        WalstowDist.write(file, read(walstow.config).replace(from, to));
        return file;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> rootOwned(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> {
                try {
                    return ((Number) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                            .intValue() == 0;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
