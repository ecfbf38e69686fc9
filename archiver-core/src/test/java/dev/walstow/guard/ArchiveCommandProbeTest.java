package dev.walstow.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.guard.ArchiveCommandProbe.Result;
import dev.walstow.guard.ArchiveCommandProbe.Verdict;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * archive_command run the way PostgreSQL runs it, with a stand-in for walstow (a shell script that records how it
 * was called): the probe's command line, its working directory and user, and how each outcome is told.
 */
class ArchiveCommandProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Path base;
    private Path data;
    private Path config;
    private Path calls;

    @BeforeEach
    void dataDirectory() throws IOException {
        base = Files.createTempDirectory(Path.of("/tmp"), "walstow-probe-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = Files.createDirectories(base.resolve("data/pg_wal"));
        data = data.getParent();
        config = Files.writeString(base.resolve("walstow.toml"), "");
        calls = base.resolve("calls");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    @DisplayName("archive-push %p becomes archive-get of a name never archived, run through sh in the data "
            + "directory; exit 1 (not found) passes")
    void notFoundPasses() throws IOException {
        Path walstow = script("echo \"$(pwd) $*\" > " + calls + "; exit 1");

        Result r = ArchiveCommandProbe.run(walstow + " --config " + config + " archive-push %p", data, config,
                TIMEOUT);

        assertThat(r.verdict()).as(r.line()).isEqualTo(Verdict.PASS);
        assertThat(Files.readString(calls).strip()).isEqualTo(data + " --config " + config + " archive-get "
                + ArchiveCommandProbe.PROBE_NAME + " pg_wal/RECOVERYXLOG");
        assertThat(r.line()).contains("archive_command works as PostgreSQL runs it");
    }

    @Test
    @DisplayName("a walstow error while probing fails the step with that error's one line")
    void errorIsNamed() throws IOException {
        Path walstow = script("echo 'INFO starting' >&2; echo '2026-01-01 ERROR walstow archive-get: [WS-STORAGE] "
                + "cannot read repository: permission denied HINT: run as postgres' >&2; exit 207");

        Result r = ArchiveCommandProbe.run(walstow + " --config " + config + " archive-push %p", data, config,
                TIMEOUT);

        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.line()).contains("exits 207: [WS-STORAGE] cannot read repository: permission denied HINT: run "
                + "as postgres").doesNotContain("INFO starting");
    }

    @Test
    @DisplayName("a walstow that PostgreSQL's shell cannot find fails with the hint to give its full path")
    void programNotFound() {
        Result r = ArchiveCommandProbe.run("walstow-that-is-not-installed --config " + config + " archive-push %p",
                data, config, TIMEOUT);

        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.line()).contains("exits 127", "not found", "HINT: give walstow's full path");
    }

    @Test
    @DisplayName("an archive_command that names another configuration fails before anything runs, naming both files")
    void otherConfiguration() throws IOException {
        Path walstow = script("echo ran > " + calls + "; exit 1");
        Path other = base.resolve("other.toml");

        Result r = ArchiveCommandProbe.run(walstow + " --config " + other + " archive-push %p", data, config,
                TIMEOUT);

        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(r.line()).contains("archive_command uses the configuration " + other + " (its --config), but "
                + "walstow check read " + config);
        assertThat(calls).doesNotExist();
    }

    @Test
    @DisplayName("without --config, the configuration is the one in the running server's environment "
            + "($WALSTOW_CONFIG of the postmaster)")
    void postmasterEnvironment() throws Exception {
        Path other = base.resolve("from-env.toml");
        ProcessBuilder withEnv = new ProcessBuilder("sleep", "60");
        withEnv.environment().put("WALSTOW_CONFIG", other.toString());
        Process server = withEnv.start();
        try {
            Files.writeString(data.resolve("postmaster.pid"), server.pid() + "\n" + data + "\n");

            Result r = ArchiveCommandProbe.run("walstow archive-push %p", data, config, TIMEOUT);

            assertThat(r.line()).contains("uses the configuration " + other + " ($WALSTOW_CONFIG in PostgreSQL's "
                    + "environment)");
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    @DisplayName("run by root, the probe runs as the data directory's owner")
    void runsAsTheOwner() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run as another user");
        UserPrincipal postgres;
        try {
            postgres = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        } catch (UserPrincipalNotFoundException e) {
            assumeTrue(false, "needs the postgres OS user");
            return;
        }
        Path walstow = script("id -un > " + calls + "; exit 1");
        Files.setOwner(data, postgres);
        Files.setOwner(base, postgres); // so that the stand-in, run as postgres, may write its record

        Result r = ArchiveCommandProbe.run(walstow + " --config " + config + " archive-push %p", data, config,
                TIMEOUT);

        assertThat(r.verdict()).as(r.line()).isEqualTo(Verdict.PASS);
        assertThat(Files.readString(calls).strip()).isEqualTo("postgres");
        assertThat(r.line()).contains("run as postgres in " + data);
    }

    @Test
    @DisplayName("archive_command run again for a failed file gets %p = pg_wal/NAME, and its error names the cause")
    void rerunNamesTheCause() throws IOException {
        Path walstow = script("echo \"$*\" > " + calls + "; echo '[WS-CONFIG] bad recipient HINT: fix it' >&2; "
                + "exit 3");

        Result r = ArchiveCommandProbe.rerun(walstow + " --config " + config + " archive-push %p", data,
                "000000010000000000000007", TIMEOUT);

        assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(Files.readString(calls).strip()).isEqualTo("--config " + config + " archive-push "
                + "pg_wal/000000010000000000000007");
        assertThat(r.line()).endsWith("exits 3: [WS-CONFIG] bad recipient HINT: fix it");
    }

    @Test
    @DisplayName("PostgreSQL's placeholders are replaced as PostgreSQL replaces them, and quoted words kept whole")
    void placeholders() {
        assertThat(ArchiveCommandProbe.probeCommand("test ! -f /a/%f && walstow archive-push '%p' # 100%%"))
                .isEqualTo("test ! -f /a/" + ArchiveCommandProbe.PROBE_NAME + " && walstow archive-get "
                        + ArchiveCommandProbe.PROBE_NAME + " 'pg_wal/RECOVERYXLOG' # 100%");
        assertThat(ArchiveCommandProbe.words("'/opt/my walstow/bin/walstow' --config=\"/etc/a b.toml\" archive-push %p"))
                .isEqualTo(List.of("/opt/my walstow/bin/walstow", "--config=/etc/a b.toml", "archive-push", "%p"));
        assertThat(ArchiveCommandProbe.configOption(List.of("walstow", "--config=/etc/a b.toml"))).hasValue(
                "/etc/a b.toml");
    }

    @Test
    @DisplayName("the probe's name is a WAL segment name walstow accepts, and the segments after it are too")
    void probeNameIsASegment() {
        WalFileName name = WalFileName.parse(ArchiveCommandProbe.PROBE_NAME);
        assertThat(name).isInstanceOf(SegmentName.class);
        SegmentName next = ((SegmentName) name).next(new WalSegmentSize(1 << 30)).next(new WalSegmentSize(1 << 30));
        assertThat(next.fileName()).isEqualTo("FFFFFFFF0000000000000002");
    }

    private Path script(String body) throws IOException {
        Path s = base.resolve("fake-walstow");
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }
}
