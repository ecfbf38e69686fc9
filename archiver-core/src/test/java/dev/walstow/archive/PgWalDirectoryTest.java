package dev.walstow.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgWalDirectoryTest {
    @TempDir
    Path tmp;

    private Path data;

    @BeforeEach
    void dataDirectory() throws Exception {
        data = tmp.resolve("data");
        Files.createDirectories(data.resolve("pg_wal"));
        Files.createDirectories(data.resolve("global"));
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
    }

    @Test
    @DisplayName("%p relative to the data directory (as PostgreSQL passes it) resolves inside pg_wal")
    void relativeInsidePgWal() throws Exception {
        PgWalDirectory dir = PgWalDirectory.locate(Optional.empty(), data);
        Path p = dir.check(data.resolve("pg_wal/RECOVERYXLOG"), false);
        assertThat(p).isEqualTo(data.resolve("pg_wal").toRealPath().resolve("RECOVERYXLOG"));
    }

    @Test
    @DisplayName("a path that escapes pg_wal is refused as a usage error")
    void escapeRefused() throws Exception {
        PgWalDirectory dir = PgWalDirectory.locate(Optional.empty(), data);
        assertThatThrownBy(() -> dir.check(data.resolve("pg_wal/../global/pg_control"), false))
                .isInstanceOfSatisfying(UserError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).contains("is outside");
                });
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(data.resolve("pg_wal/sneaky"), tmp.resolve("elsewhere"));
        assertThatThrownBy(() -> dir.check(data.resolve("pg_wal/sneaky/000000010000000000000001"), false))
                .hasMessageContaining("is outside");
    }

    @Test
    @DisplayName("the working directory wins over [postgres] data, so a restore into a new directory works")
    void workingDirectoryWins() throws Exception {
        Path other = tmp.resolve("restored");
        Files.createDirectories(other.resolve("pg_wal"));
        Files.writeString(other.resolve("PG_VERSION"), "15\n");
        PgWalDirectory dir = PgWalDirectory.locate(Optional.of(data), other);
        assertThat(dir.check(other.resolve("pg_wal/RECOVERYXLOG"), false).getParent())
                .isEqualTo(other.resolve("pg_wal").toRealPath());
    }

    @Test
    @DisplayName("outside any data directory the configured one is used, and without one the check explains itself")
    void fallbackAndUnknown() {
        PgWalDirectory configured = PgWalDirectory.locate(Optional.of(data), tmp);
        assertThat(configured.check(data.resolve("pg_wal/x"), false).getFileName().toString()).isEqualTo("x");
        PgWalDirectory unknown = PgWalDirectory.locate(Optional.empty(), tmp);
        assertThatThrownBy(() -> unknown.check(tmp.resolve("x"), false))
                .hasMessageContaining("cannot tell where pg_wal is");
        assertThat(unknown.check(tmp.resolve("x"), true)).isEqualTo(tmp.resolve("x"));
    }
}
