package dev.walstow.cli;

import static dev.walstow.cli.JsonDocument.assertIntegers;
import static dev.walstow.cli.JsonDocument.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.walstow.agent.ErrorCode;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.metrics.ArchiveState;
import dev.walstow.metrics.MetricsServer;
import dev.walstow.metrics.StatusReport;
import dev.walstow.metrics.WalstowMetrics;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code walstow status --output json} against a daemon's real {@code /status} endpoint, and with none answering:
 * one schema either way (docs/json.md), counters as integers.
 */
class StatusJsonTest {
    private static final String SEGMENT = "000000010000000000000005";

    @TempDir
    Path temp;

    @Test
    @DisplayName("with and without a daemon the document has the same keys; counters are integers, not 5.0")
    void sameSchemaWhateverTheDaemon() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path data = temp.resolve("data");
        Files.createDirectories(data.resolve("pg_wal/archive_status"));
        Files.write(temp.resolve("data/pg_wal/" + SEGMENT), new byte[4096]);
        Files.createFile(temp.resolve("data/pg_wal/archive_status/" + SEGMENT + ".ready"));
        PosixTestRepository repo = PosixTestRepository.create(temp, """
                [metrics]
                listen = "127.0.0.1:%d"
                """.formatted(port));
        WalstowMetrics metrics = new WalstowMetrics();
        for (int i = 1; i <= 5; i++) {
            metrics.archived(WalFileName.parse("00000001000000000000000" + i), WalSegmentSize.DEFAULT, 16 << 20, 4 << 20,
                    Duration.ofMillis(5));
        }
        metrics.update(new ArchiveState(1, 16 << 20, SEGMENT, 12.7, 3.2, 900, false, 0, 1500.4,
                "cannot connect to PostgreSQL"));
        String[] status = {"--config", repo.config.toString(), "status", "--pgdata", data.toString(),
                "--output", "json"};

        JsonNode up;
        try (MetricsServer server = MetricsServer.start(new MetricsConfig(true, "127.0.0.1", port), repo.config, metrics,
                () -> StatusReport.of("test", Instant.parse("2026-01-01T00:00:00Z"), "/data", "posix:/repo", true,
                        metrics).toJson())) {
            Cli json = Cli.run(status);
            assertThat(json.exit()).as(json.toString()).isZero();
            up = JsonDocument.parse(json.out());

            assertThat(keys(up)).containsExactly("walstow_json", "daemon", "rpo", "backlog", "archived", "throughput",
                    "last_errors");
            assertThat(up.at("/daemon/running").booleanValue()).isTrue();
            assertThat(up.at("/daemon/problem").isNull()).isTrue();
            assertIntegers(up.get("daemon"), "pid");
            assertIntegers(up.get("archived"), "files", "wal_bytes", "stored_bytes");
            assertThat(up.at("/archived/files").longValue()).isEqualTo(5);
            assertThat(up.at("/archived/compression_ratio").doubleValue()).isEqualTo(4.0);
            assertIntegers(up.get("rpo"), "target_seconds", "exposure_seconds");
            assertThat(up.at("/rpo/breached").isBoolean()).isTrue();
            assertThat(up.at("/rpo/guard").asText()).isEqualTo("not_connected");
            assertIntegers(up.get("backlog"), "files", "bytes", "oldest_age_seconds");
            assertIntegers(up.get("throughput"), "wal_bytes_per_second");

            Cli text = Cli.run("--config", repo.config.toString(), "status");
            assertThat(text.out()).as("the text stays as it was").contains("(guard not connected",
                    "archived     5 files, 80.0 MiB WAL -> 20.0 MiB stored (ratio 4.0)");

            metrics.failed("push", SEGMENT, ErrorCode.INVALID_WAL, "[WS-INVALID-WAL] not WAL HINT: look");
            JsonNode failed = JsonDocument.parse(Cli.run(status).out());
            assertThat(keys(failed.at("/last_errors/0"))).containsExactly("at", "operation", "file", "kind",
                    "message");
            assertThat(failed.at("/last_errors/0/kind").asText()).isEqualTo("invalid_wal");
        }

        Cli down = Cli.run(status);
        assertThat(down.exit()).as(down.toString()).isEqualTo(1);
        JsonNode none = JsonDocument.parse(down.out());
        assertThat(JsonDocument.paths(none)).isEqualTo(JsonDocument.paths(up));
        assertThat(none.at("/daemon/running").booleanValue()).isFalse();
        assertThat(none.at("/daemon/problem").asText()).contains("no daemon answers on http://127.0.0.1:" + port);
        assertThat(none.at("/daemon/pid").isNull()).isTrue();
        assertThat(none.at("/archived/files").isNull()).isTrue();
        assertThat(none.at("/rpo/breached").isNull()).isTrue();
        assertIntegers(none.get("rpo"), "target_seconds");
        assertIntegers(none.get("backlog"), "files", "bytes", "oldest_age_seconds");
        assertThat(none.at("/backlog/files").intValue()).as("read from pg_wal").isEqualTo(1);
        assertThat(none.at("/backlog/oldest").asText()).isEqualTo(SEGMENT);
    }
}
