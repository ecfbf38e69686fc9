package dev.walstow.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private static final Path CONFIG = Path.of("/etc/walstow/main.toml");

    @Test
    @DisplayName("a metrics port in use stops the start with a WS-CONFIG line naming the port and the file to fix")
    void portInUseIsAConfigurationError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MetricsConfig config = new MetricsConfig(true, "127.0.0.1", taken.getLocalPort());
            assertThatThrownBy(() -> MetricsServer.start(config, CONFIG, new WalstowMetrics(), () -> "{}"))
                    .isInstanceOfSatisfying(UserError.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG);
                        assertThat(e.oneLine()).startsWith("[WS-CONFIG] cannot listen on 127.0.0.1:"
                                + taken.getLocalPort() + " for metrics: the port is already in use")
                                .contains("another cluster", "HINT: ", "[metrics] listen in " + CONFIG)
                                .doesNotContain("\n", "BindException");
                    });
        }
    }
}
