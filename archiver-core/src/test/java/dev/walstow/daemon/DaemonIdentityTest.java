package dev.walstow.daemon;

import dev.walstow.daemon.spool.ConfigStamp;
import static dev.walstow.daemon.DaemonFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.agent.spool.ConfigFile;
import dev.walstow.agent.spool.Serving;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whose state the daemon publishes, for which configuration, and for how long (Serving, the lock, the owner). */
class DaemonIdentityTest {
    private static final String SEG = "000000010000000000000005";

    @TempDir
    Path temp;
    DaemonFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    /** Starts a daemon as {@code walstow daemon} does, with a configuration file; returns that file. */
    private Path startWithConfigFile() throws IOException {
        f = new DaemonFixture(temp);
        Path config = Files.writeString(temp.resolve("walstow.toml"), "[repository]\npath = \"/a\"\n");
        f.startWithConfigFile(ConfigStamp.load(config).stamp());
        return config;
    }

    private Optional<Serving.Observed> serving() {
        return Serving.read(f.layout.root());
    }

    private Request push(String fingerprint) {
        return new Request(Request.Kind.PUSH, SEG, "pg_wal/" + SEG, f.data.toString(), fingerprint);
    }

    @Test
    @DisplayName("a started daemon publishes its pid, its repository's id and its configuration file's fingerprint, "
            + "and renews the heartbeat every second")
    void publishes() throws Exception {
        Path config = startWithConfigFile();
        Serving.Observed s = serving().orElseThrow();
        assertThat(s.serving().pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(s.serving().repositoryId()).isEqualTo(f.layout.repositoryId());
        assertThat(s.serving().configFingerprint()).isEqualTo(ConfigFile.fingerprint(config).orElseThrow());
        assertThat(s.live(Instant.now())).isTrue();
        Instant old = Instant.now().minusSeconds(60);
        Files.setLastModifiedTime(f.layout.servingFile(), FileTime.from(old));
        await("heartbeat renewed", Duration.ofSeconds(5),
                () -> serving().map(o -> o.heartbeat().isAfter(old.plusSeconds(30))).orElse(false));
        f.daemon().shutdown(Duration.ofSeconds(2));
        assertThat(f.layout.servingFile()).as("withdrawn at shutdown").doesNotExist();
    }

    @Test
    @DisplayName("a call with another configuration's fingerprint is not served (the agent falls back); its own is")
    void servesOnlyItsConfiguration() throws Exception {
        Path config = startWithConfigFile();
        f.ready(dev.walstow.wal.WalFileName.parse(SEG), 1);
        Reply other = f.call(push("1:2:3:4.000000000:5.000000000"));
        assertThat(other.status()).isEqualTo(Reply.Status.UNSUPPORTED);
        assertThat(other.reason()).contains("serves another configuration");
        assertThat(f.call(push("")).status()).as("no configuration file").isEqualTo(Reply.Status.UNSUPPORTED);
        DaemonFixture.assertOk(f.call(push(ConfigFile.fingerprint(config).orElseThrow())));
    }

    @Test
    @DisplayName("a touched configuration file is republished; an edited one withdraws serving, refuses every call "
            + "and asks once for a restart")
    void configurationChange() throws Exception {
        Path config = startWithConfigFile();
        AtomicInteger restarts = new AtomicInteger();
        f.daemon().onConfigurationChange(restarts::incrementAndGet);

        Files.setLastModifiedTime(config, FileTime.from(Instant.now().plusSeconds(3)));
        String touched = ConfigFile.fingerprint(config).orElseThrow();
        await("republished after a touch", Duration.ofSeconds(5),
                () -> serving().map(o -> o.serving().configFingerprint().equals(touched)).orElse(false));
        assertThat(restarts).hasValue(0);

        Files.writeString(config, "[repository]\npath = \"/b\"\n");
        await("restart asked", Duration.ofSeconds(5), () -> restarts.get() == 1);
        assertThat(f.layout.servingFile()).doesNotExist();
        Reply reply = f.call(push(ConfigFile.fingerprint(config).orElseThrow()));
        assertThat(reply.status()).isEqualTo(Reply.Status.UNSUPPORTED);
        Thread.sleep(1_500);
        assertThat(restarts).as("once").hasValue(1);
    }

    @Test
    @DisplayName("a configuration change seen before anyone asked to hear of it is told as soon as someone does")
    void changeBeforeListener() throws Exception {
        Path config = startWithConfigFile();
        Files.writeString(config, "[repository]\npath = \"/changed early\"\n");
        await("serving withdrawn", Duration.ofSeconds(5), () -> !Files.exists(f.layout.servingFile()));
        AtomicInteger restarts = new AtomicInteger();
        f.daemon().onConfigurationChange(restarts::incrementAndGet);
        // The heartbeat thread withdraws the serving file a moment before it records the change: the listener is
        // told either at once (registered after) or by that thread (registered in between).
        await("told", Duration.ofSeconds(5), () -> restarts.get() == 1);
        Thread.sleep(300);
        assertThat(restarts).as("once").hasValue(1);
    }

    @Test
    @DisplayName("at start-up the daemon deletes other repositories' state and the old layout's, keeps its own "
            + "pushed markers and empties its prefetch")
    void startClearsOtherState() throws Exception {
        f = new DaemonFixture(temp);
        Path root = Files.createDirectories(f.layout.root());
        Path other = Files.createDirectories(root.resolve(Serving.stateDirectory("fedcba9876543210")).resolve("pushed"));
        Files.createFile(other.resolve(SEG));
        Path legacy = Files.createDirectories(root.resolve("pushed"));
        Files.createFile(legacy.resolve(SEG));
        Files.createDirectories(root.resolve("prefetch/some-boot"));
        Files.createDirectories(f.layout.pushedDirectory());
        Files.write(f.pgWal(SEG), new byte[16]);
        Files.createFile(f.layout.pushed(SEG));
        Files.createDirectories(f.layout.prefetchDirectory());
        Files.write(f.layout.prefetched("000000010000000000000009"), new byte[16]);

        f.start(1, 0);
        assertThat(root.resolve(Serving.stateDirectory("fedcba9876543210"))).doesNotExist();
        assertThat(legacy).doesNotExist();
        assertThat(root.resolve("prefetch")).doesNotExist();
        assertThat(f.layout.pushed(SEG)).exists();
        assertThat(f.layout.prefetchDirectory()).isEmptyDirectory();
    }

    @Test
    @DisplayName("at start-up the daemon removes, in the background, what a put of a dead process left in its "
            + "repository (a full disk, a kill -9)")
    void leftoversOfDeadWritersRemoved() throws Exception {
        f = new DaemonFixture(temp);
        String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip().replace("-", "");
        String pidNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
        // This very pid with another start time: a process that used this pid before, long gone.
        String deadWriter = bootId + "-" + pidNamespace + "-" + ProcessHandle.current().pid() + "-1";
        Path leftover = Files.createDirectories(f.repoDir.resolve("wal/0000000100000000"))
                .resolve("." + SEG + ".tmp.0123456789abcdef." + deadWriter);
        Files.write(leftover, new byte[] {1, 2, 3});
        f.start(1, 0);
        await("leftover removed", Duration.ofSeconds(10), () -> !Files.exists(leftover));
    }

    @Test
    @DisplayName("a second daemon for the same data directory is refused by the lock, and touches nothing")
    void secondDaemonRefused() throws Exception {
        f = new DaemonFixture(temp);
        f.start(1, 0);
        Files.write(f.layout.prefetched("000000010000000000000009"), new byte[16]);
        Daemon second = new Daemon(DaemonFixture.config(1, 0), f.data, f.repository, f.codec,
                new Daemon.Timings(Duration.ofMillis(100), Duration.ofMillis(200)));
        assertThatThrownBy(second::start).isInstanceOf(UserError.class)
                .hasMessageContaining("already running");
        assertThat(f.layout.prefetched("000000010000000000000009")).exists();
    }

    @Test
    @DisplayName("run by a user that does not own the data directory, the daemon refuses before creating anything "
            + "and names the owner in its hint")
    void foreignOwnerRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give the directory away");
        f = new DaemonFixture(temp);
        Files.setAttribute(f.data, "unix:uid", 65534);
        try {
            assertThatThrownBy(() -> f.start(1, 0)).isInstanceOfSatisfying(UserError.class, e -> {
                assertThat(e.oneLine()).startsWith("[WS-USAGE]").contains("uid 65534").contains("HINT: sudo -u ")
                        .contains(" walstow --config ");
            });
            assertThat(f.layout.root()).doesNotExist();
        } finally {
            Files.setAttribute(f.data, "unix:uid", 0);
        }
    }
}
