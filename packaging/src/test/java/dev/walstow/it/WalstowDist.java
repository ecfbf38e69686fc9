package dev.walstow.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged distribution under test (packaging/target/walstow), run as the postgres OS user. */
final class WalstowDist {
    static final Map<String, String> ENV = Map.of("JAVA_HOME", javaHome());

    final Path launcher;
    final Path config;
    /** The daemon's metrics endpoint port (a free loopback port chosen when the configuration was written). */
    final int metricsPort;

    WalstowDist(Path config) {
        this(Installed.DIST.resolve("bin/walstow"), config);
    }

    /** Another installation of walstow, e.g. the Debian package's /usr/bin/walstow. */
    WalstowDist(Path launcher, Path config) {
        this.launcher = launcher;
        this.config = config;
        this.metricsPort = freePort();
    }

    /**
     * A copy of the built distribution under /tmp: the checkout may sit under a directory the postgres OS user
     * cannot enter (/root), and PostgreSQL runs walstow as that user. Copied once per test JVM.
     */
    private static final class Installed {
        static final Path DIST = install();

        private static Path install() {
            String built = System.getProperty("walstow.dist");
            if (built == null) {
                throw new AssertionError("system property walstow.dist is not set; run through mvn verify");
            }
            Path base = TestDirs.base("dist");
            Path target = base.resolve("walstow");
            Proc.run(null, Map.of(), 60, List.of("cp", "-a", built, target.toString())).ok();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TestDirs.deleteTree(base)));
            return target;
        }
    }

    /** The archive_command / restore_command lines, exactly as a DBA would write them. */
    String archiveCommand() {
        return launcher + " --config " + config + " archive-push %p";
    }

    String restoreCommand() {
        return launcher + " --config " + config + " archive-get %f %p";
    }

    Proc run(Path workDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        return Proc.asPostgres(workDir, ENV, 120, cmd.toArray(String[]::new));
    }

    /** Runs a command that takes no configuration (keygen, --version). */
    Proc runBare(String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return Proc.asPostgres(null, ENV, 120, cmd.toArray(String[]::new));
    }

    /**
     * Writes a configuration with a posix repository and OpenPGP keys (made with walstow keygen). The RPO guard is
     * off: it would otherwise connect to whatever server listens at the default address.
     */
    /**
     * The same repository and keys as this configuration, but backing up {@code cluster} (its data directory and
     * SQL connection), written to {@code config}.
     */
    WalstowDist pointedAt(Path config, PgCluster cluster) {
        WalstowDist w = new WalstowDist(launcher, config);
        String text = read(this.config)
                .replaceFirst("(?m)^data = \".*\"$", "data = \"" + cluster.data + "\"")
                .replaceFirst("(?m)^host = \".*\"$", "host = \"" + cluster.socketDir + "\"")
                .replaceFirst("(?m)^port = \\d+$", "port = " + cluster.port)
                .replaceFirst("listen = \"127.0.0.1:\\d+\"", "listen = \"127.0.0.1:" + w.metricsPort + "\"");
        write(config, text);
        return w;
    }

    static WalstowDist withKeys(Path base, Path repo, Path pgdata) {
        return withKeys(new WalstowDist(base.resolve("walstow.toml")), repo, pgdata, "", "[guard]\nenabled = false\n");
    }

    /** As above, with SQL connections to {@code cluster} (for the RPO guard, backups and check) and more tables. */
    static WalstowDist withKeys(Path base, Path repo, PgCluster cluster, String moreToml) {
        return withKeys(new WalstowDist(base.resolve("walstow.toml")), repo, cluster, moreToml);
    }

    /** As above, run with {@code w}'s launcher (e.g. the installed package); the keys go beside its config. */
    static WalstowDist withKeys(WalstowDist w, Path repo, PgCluster cluster, String moreToml) {
        return withKeys(w, repo, cluster.data, "host = \"" + cluster.socketDir + "\"\nport = " + cluster.port
                + "\n", moreToml);
    }

    private static WalstowDist withKeys(WalstowDist w, Path repo, Path pgdata, String postgresKeys, String moreToml) {
        Path base = w.config.getParent();
        Path keys = base.resolve("keys");
        TestDirs.createOwned(keys);
        Path config = w.config;
        w.runBare("keygen", "--public-key", keys.resolve("archive.pub.asc").toString(),
                "--secret-key", keys.resolve("archive.sec.asc").toString()).ok();
        write(config, """
                [repository]
                type = "posix"
                path = "%s"

                [compression]
                level = 1

                [encryption]
                recipient = "%s"
                secret = "%s"

                [postgres]
                data = "%s"
                %s
                [retry]
                attempts = 3
                initial-backoff = "100ms"
                max-backoff = "1s"

                [metrics]
                listen = "127.0.0.1:%d"

                %s
                """.formatted(repo, keys.resolve("archive.pub.asc"), keys.resolve("archive.sec.asc"), pgdata,
                postgresKeys, w.metricsPort, moreToml));
        return w;
    }

    /**
     * Replaces the posix {@code [repository]} table of this configuration with an S3 one (static credentials from
     * a secret file) followed by {@code repositoryExtra} keys, and appends {@code tail} (more tables).
     */
    void useS3(String bucket, String prefix, java.net.URI endpoint, String accessKey, String secretKey,
            String repositoryExtra, String tail) {
        Path secret = config.resolveSibling("keys/s3.secret");
        write(secret, secretKey + "\n");
        String text;
        try {
            text = Files.readString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String s3 = dev.walstow.storage.s3.S3ProxyServer.repositoryTable(bucket, prefix, endpoint, accessKey, secret)
                + repositoryExtra + "\n";
        write(config, text.replaceFirst("(?s)\\[repository\\].*?\\n\\n", java.util.regex.Matcher.quoteReplacement(s3))
                + "\n" + tail);
    }

    /**
     * Another configuration file with this one's settings and keys, but its own repository path and metrics port: an
     * operator's second file for a second repository (so both daemons may run at once).
     */
    WalstowDist copyFor(Path otherConfig, Path repo) {
        WalstowDist copy = new WalstowDist(launcher, otherConfig);
        write(otherConfig, read(config).replaceFirst("(?m)^listen = \"127\\.0\\.0\\.1:" + metricsPort + "\"$",
                "listen = \"127.0.0.1:" + copy.metricsPort + "\""));
        copy.pointAt(repo);
        return copy;
    }

    /** Edits {@code [repository] path} in place, as an operator switching or moving a repository does. */
    void pointAt(Path repo) {
        String text = read(config);
        String edited = text.replaceFirst("(?m)^path = \".*\"$",
                java.util.regex.Matcher.quoteReplacement("path = \"" + repo + "\""));
        if (!edited.contains("path = \"" + repo + "\"\n")) {
            throw new AssertionError("no posix [repository] path in " + config + ":\n" + text);
        }
        write(config, edited);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestDirs.chownPostgres(file);
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaHome() {
        String home = System.getProperty("java.home");
        return home == null ? "/usr/lib/jvm/temurin-25-jdk-amd64" : home;
    }
}
