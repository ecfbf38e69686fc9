package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The Debian package as a DBA uses it, on this machine: {@code dpkg -i}, {@code walstow} from /usr/bin as the
 * postgres user against a real PostgreSQL 15 cluster, then {@code dpkg -r} and {@code dpkg -P} leaving nothing behind.
 *
 * <p>This test installs and removes a system package. It runs only where that is the point: as root on Debian with
 * dpkg (the CI machine), and not when walstow is already installed here with a configuration someone edited
 * ({@code -Dwalstow.it.deb=false} skips it anywhere). It always purges what it installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebPackageIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path USR_BIN = Path.of("/usr/bin/walstow");
    private static final Path HOME = Path.of("/usr/lib/walstow");
    private static final Path ETC = Path.of("/etc/walstow");
    private static final Path CONFFILE = ETC.resolve("walstow.toml");
    private static final List<Path> CREATED_BY_POSTINST = List.of(Path.of("/var/log/walstow"),
            Path.of("/var/spool/walstow"), Path.of("/var/lib/walstow"));
    /** The daemon's units first (walstow.service, walstow@.service), then the backup, expire and verify jobs. */
    private static final List<Path> UNITS = Stream.of("walstow.service", "walstow@.service", "walstow-backup.service",
            "walstow-backup.timer", "walstow-backup@.service", "walstow-backup@.timer", "walstow-expire.service",
            "walstow-expire.timer", "walstow-expire@.service", "walstow-expire@.timer", "walstow-verify.service",
            "walstow-verify.timer", "walstow-verify@.service", "walstow-verify@.timer")
            .map(name -> Path.of("/lib/systemd/system", name)).toList();
    private static final List<Path> MAN_AND_COMPLETION = List.of(Path.of("/usr/share/man/man1/walstow.1.gz"),
            Path.of("/usr/share/man/man1/walstow-backup.1.gz"),
            Path.of("/usr/share/bash-completion/completions/walstow"));

    private Path deb;
    private Path base;
    private PgCluster cluster;
    private WalstowDist walstow;

    @BeforeAll
    void guard() throws IOException {
        assumeTrue(!"false".equals(System.getProperty("walstow.it.deb")), "-Dwalstow.it.deb=false");
        assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root");
        assumeTrue(Files.exists(Path.of("/etc/debian_version")), "not Debian");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "no dpkg");
        assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries are required");
        deb = builtPackage();
        if (installed()) {
            assumeTrue(untouchedInstallation(), "walstow is installed here with an edited " + CONFFILE
                    + " or other files in " + ETC + "; not replacing it");
            dpkg("-P", "walstow").ok();
        }
        base = TestDirs.base("deb");
    }

    @AfterAll
    void cleanUp() {
        if (cluster != null) {
            cluster.stop();
        }
        if (deb != null && installed()) {
            dpkg("-P", "walstow");
        }
        TestDirs.deleteTree(base);
    }

    @Test
    @Order(1)
    @DisplayName("without a Java 25, dpkg -i still succeeds and says which package to install")
    void installsWithoutJava() {
        // /usr/lib/jvm hidden by an empty tmpfs in a private mount namespace: this host without its JDK, for dpkg only.
        Proc probe = Proc.run(null, Map.of(), 30, List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && test ! -e /usr/lib/jvm/temurin-25-jdk-amd64"));
        assumeTrue(probe.exit() == 0, "cannot hide /usr/lib/jvm here (unshare -m): " + probe);
        Proc install = Proc.run(null, Map.of(), 300, List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && exec env -u JAVA_HOME -u WALSTOW_JAVA_HOME dpkg -i \"$0\"",
                deb.toString()));
        assertThat(install.exit()).as(install.toString()).isZero();
        assertThat(install.err()).contains("walstow: no Java 25 runtime found").contains("HINT: apt-get install temurin-25-jre");
        assertThat(glob(HOME.resolve("lib"), "walstow-agent.*.aot")).isEmpty();
        assertThat(Proc.run(null, Map.of(), 30, List.of("dpkg-query", "-W", "-f=${Status}", "walstow")).ok().out())
                .isEqualTo("install ok installed");
    }

    @Test
    @Order(2)
    @DisplayName("dpkg -i (again: an upgrade) installs launcher, jars, units, conffile, postgres-owned dirs, the AOT cache, man pages and bash completion")
    void installs() throws IOException {
        Proc install = dpkg("-i", deb.toString()).ok();
        assertThat(install.out() + install.err()).doesNotContainIgnoringCase("warning").doesNotContain("error");

        assertThat(Files.readSymbolicLink(USR_BIN)).isEqualTo(HOME.resolve("bin/walstow"));
        assertThat(Files.isExecutable(HOME.resolve("bin/walstow"))).isTrue();
        assertThat(glob(HOME.resolve("lib"), "walstow-archiver-core-*.jar")).hasSize(1);
        // postinst built the cache for the installed agent jar; the package itself carries none.
        assertThat(glob(HOME.resolve("lib"), "walstow-agent.*.aot")).hasSize(1);
        assertThat(dpkg("-L", "walstow").ok().out()).doesNotContain(".aot");
        for (Path unit : UNITS) {
            assertThat(unit).isRegularFile();
        }
        assertThat(Files.readString(UNITS.get(1))).contains("ExecStart=/usr/bin/walstow --config /etc/walstow/%i.toml daemon");
        // Installed disabled: nothing of walstow's is enabled into a target (timers.target, multi-user.target).
        assertThat(enabledLinks()).isEmpty();
        assertThat(CONFFILE).isRegularFile();
        assertThat(Path.of("/usr/share/doc/walstow/copyright")).isRegularFile();
        assertThat(Path.of("/usr/share/doc/walstow/changelog.Debian.gz")).isRegularFile();
        assertThat(Proc.run(null, Map.of(), 30, List.of("dpkg-query", "-W", "-f=${Conffiles}", "walstow")).ok().out())
                .contains(CONFFILE.toString());
        for (Path dir : CREATED_BY_POSTINST) {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertThat(a.owner().getName()).as("owner of %s", dir).isEqualTo("postgres");
        }
        assertThat(Proc.asPostgres(null, Map.of(), 60, USR_BIN.toString(), "--version").ok().out())
                .startsWith("walstow ");
        for (Path file : MAN_AND_COMPLETION) {
            assertThat(file).isRegularFile();
        }
    }

    @Test
    @Order(3)
    @DisplayName("the installed walstow initialises a repository, round-trips WAL of a real cluster as postgres, and check passes")
    void archivesWithInstalledPackage() throws IOException {
        // No JAVA_HOME: the installed launcher must find Java 25 by itself, as it does under a packaged PostgreSQL.
        Proc version = Proc.run(null, Map.of(), 60, List.of("runuser", "-u", "postgres", "--", "env", "-u",
                "JAVA_HOME", "-u", "WALSTOW_JAVA_HOME", USR_BIN.toString(), "--version")).ok();
        assertThat(version.out()).startsWith("walstow ").contains("Java 25");

        TestDirs.createOwned(base.resolve("var"));
        Path repo = base.resolve("var/repo");
        cluster = PgCluster.initdb(base.resolve("data"), Map.of());
        walstow = WalstowDist.withKeys(new WalstowDist(USR_BIN, base.resolve("walstow.toml")), repo, cluster, "");
        cluster.configure("wal_level = replica", "archive_mode = on",
                "archive_command = '" + walstow.archiveCommand() + "'");
        walstow.run(null, "init").ok();
        cluster.start();
        cluster.sql("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 10000) g");
        String segment = cluster.switchAndAwaitArchived(WAIT);

        Path scratch = base.resolve("scratch");
        TestDirs.createOwned(scratch);
        Proc got = walstow.run(scratch, "archive-get", "--allow-outside-pg-wal", segment,
                scratch.resolve(segment).toString());
        assertThat(got.exit()).as(got.toString()).isZero();
        assertThat(Files.size(scratch.resolve(segment))).isEqualTo(16L * 1024 * 1024);
        Proc missing = walstow.run(scratch, "archive-get", "--allow-outside-pg-wal", "0000000100000000000000FE",
                scratch.resolve("missing").toString());
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(cluster.sql("SELECT failed_count FROM pg_stat_archiver")).isEqualTo("0");

        // What a DBA runs after installing: configuration, keys, repository binding, PostgreSQL's settings, and a
        // forced segment switch archived through the installed archive_command.
        Proc check = walstow.run(null, "check", "--timeout", "60s");
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.out()).contains("all checks passed");
        cluster.stop();
    }

    @Test
    @Order(4)
    @DisplayName("dpkg -r removes everything but the conffile; dpkg -P leaves no file of walstow's behind")
    void removesAndPurges() throws IOException {
        dpkg("-r", "walstow").ok();
        assertThat(USR_BIN).doesNotExist();
        assertThat(HOME).doesNotExist();
        assertThat(Path.of("/usr/share/doc/walstow")).doesNotExist();
        for (Path unit : UNITS) {
            assertThat(unit).doesNotExist();
        }
        for (Path file : MAN_AND_COMPLETION) {
            assertThat(file).doesNotExist();
        }
        assertThat(CONFFILE).as("a conffile stays until purge").isRegularFile();
        assertThat(Proc.run(null, Map.of(), 30, List.of("dpkg-query", "-W", "-f=${Status}", "walstow")).ok().out())
                .isEqualTo("deinstall ok config-files");

        dpkg("-P", "walstow").ok();
        assertThat(ETC).doesNotExist();
        for (Path dir : CREATED_BY_POSTINST) {
            assertThat(dir).doesNotExist();
        }
        assertThat(glob(Path.of("/var/lib/dpkg/info"), "walstow.*")).isEmpty();
        assertThat(Proc.run(null, Map.of(), 30, List.of("dpkg-query", "-W", "walstow")).exit()).isNotZero();
    }

    private static List<Path> enabledLinks() throws IOException {
        Path etc = Path.of("/etc/systemd/system");
        if (!Files.isDirectory(etc)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(etc, 2)) {
            return s.filter(Files::isSymbolicLink).filter(p -> p.getFileName().toString().startsWith("walstow"))
                    .toList();
        }
    }

    private static boolean installed() {
        Proc p = Proc.run(null, Map.of(), 30, List.of("dpkg-query", "-W", "-f=${Status}", "walstow"));
        return p.exit() == 0 && p.out().contains("installed");
    }

    /** Installed by an earlier run of this test: the configuration is still the example, and alone. */
    private static boolean untouchedInstallation() throws IOException {
        Path example = Path.of(System.getProperty("walstow.dist"), "etc/walstow.toml.example");
        if (!Files.exists(CONFFILE)) {
            return !Files.exists(ETC) || glob(ETC, "*").isEmpty();
        }
        return glob(ETC, "*").size() == 1 && Files.mismatch(CONFFILE, example) == -1;
    }

    private static Path builtPackage() {
        String dir = System.getProperty("walstow.packages");
        assertThat(dir).as("system property walstow.packages (run through mvn verify)").isNotNull();
        List<Path> debs = glob(Path.of(dir), "walstow_*_amd64.deb");
        assertThat(debs).as("the .deb built by mvn package in %s", dir).hasSize(1);
        return debs.getFirst();
    }

    private static Proc dpkg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("dpkg"));
        cmd.addAll(List.of(args));
        return Proc.run(null, Map.of("DEBIAN_FRONTEND", "noninteractive"), 300, cmd);
    }

    private static List<Path> glob(Path dir, String pattern) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, pattern)) {
            s.forEach(found::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }
}
