package dev.walstow.daemon.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.protocol.Request;
import dev.walstow.daemon.spool.SpoolLayout;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a real daemon process: the shutdown hook must run the whole ordered stop. */
class SigtermTest {
    @TempDir
    Path dataDir;

    @Test
    @DisplayName("on SIGTERM the daemon tells systemd STOPPING=1, stops its services, removes its socket and exits")
    void sigterm() throws Exception {
        Path socket = new SpoolLayout(dataDir).socket();
        String notifyPath = dataDir.resolve("notify").toString();
        try (NotifyListener systemd = new NotifyListener(notifyPath)) {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    SigtermMain.class.getName(), dataDir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("NOTIFY_SOCKET", notifyPath);
            Process daemon = pb.start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isEqualTo("started");
                assertThat(systemd.next(10)).startsWith("READY=1");
                assertThat(AgentClient.call(socket, Request.ping())).isEqualTo(Reply.ok("pong"));

                daemon.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of stdout

                assertThat(out.readLine()).isEqualTo("services stopped");
                assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                daemon.destroyForcibly();
            }
            assertThat(daemon.exitValue()).isEqualTo(143);
            assertThat(systemd.next(5)).startsWith("STOPPING=1");
            assertThat(socket).doesNotExist();
        }
    }
}
