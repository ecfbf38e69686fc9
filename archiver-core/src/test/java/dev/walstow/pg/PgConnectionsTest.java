package dev.walstow.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.config.WalstowConfig.PostgresConfig;
import dev.walstow.error.RepositoryError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgConnectionsTest {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private Path base;
    private Path data;

    @BeforeAll
    void startServer() throws Exception {
        assumeTrue(Files.isExecutable(BIN.resolve("initdb")), "needs PostgreSQL 15");
        base = Files.createTempDirectory(Path.of("/tmp"), "walstow-pg-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = base.resolve("data");
        run("chown", "postgres", base.toString());
        run("install", "-d", "-o", "postgres", "-m", "700", data.toString());
        run("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust",
                "--no-sync", "--no-instructions");
        Files.writeString(data.resolve("postgresql.conf"), "\nlisten_addresses = ''\nunix_socket_directories = '"
                + base + "'\nport = 5499\n", java.nio.file.StandardOpenOption.APPEND);
        run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
                "-l", base.resolve("log").toString(), "start");
    }

    @AfterAll
    void stopServer() throws Exception {
        if (data != null) {
            run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
                    "-m", "immediate", "stop");
            run("rm", "-rf", base.toString());
        }
    }

    @Test
    @DisplayName("connects over the server's Unix socket with the JDK alone, with a statement timeout set")
    void unixSocket() throws Exception {
        var connections = new PgConnections(new PostgresConfig(Optional.of(data), base.toString(), 5499, "postgres",
                "postgres", Optional.empty()), Duration.ofSeconds(7));
        try (Connection c = connections.open("walstow-test");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT current_setting('statement_timeout'), current_setting('application_name')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("7s");
            assertThat(rs.getString(2)).isEqualTo("walstow-test");
        }
    }

    @Test
    @DisplayName("an unreachable server is a retryable error naming where walstow tried to connect")
    void unreachable() {
        var connections = new PgConnections(new PostgresConfig(Optional.empty(), base.toString(), 5498, "postgres",
                "postgres", Optional.empty()), Duration.ofSeconds(5));
        assertThatThrownBy(() -> connections.open("walstow-test"))
                .isInstanceOfSatisfying(RepositoryError.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("postgres@" + base + ":5498/postgres");
                });
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
    }
}
