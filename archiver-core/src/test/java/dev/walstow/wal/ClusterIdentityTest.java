package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ClusterIdentity.read on hand-built data directories; see RealClusterTest for directories made by initdb. */
class ClusterIdentityTest {
    private static final WalSegmentSize MB1 = WalSegmentSize.ofMegabytes(1);

    @TempDir
    Path data;

    @BeforeEach
    void fakeCluster() throws IOException {
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Files.createDirectories(data.resolve("global"));
        Files.write(data.resolve("global/pg_control"), ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, Headers.SYSID).array());
        Files.createDirectories(data.resolve("pg_wal/archive_status"));
    }

    private void segment(String name, long pageAddr, long sysid, WalSegmentSize size) throws IOException {
        byte[] file = new byte[size.bytes()];
        byte[] h = Headers.longHeader(0xD110, 0x0002, 1, pageAddr, sysid, size.bytes(), 8192);
        System.arraycopy(h, 0, file, 0, XLogLongPageHeader.LENGTH);
        Files.write(data.resolve("pg_wal").resolve(name), file);
    }

    @Test
    @DisplayName("takes the segment size from the newest segment whose header names its own position")
    void skipsRecycledSegments() throws IOException {
        segment("000000010000000000000006", 0x600000, Headers.SYSID, MB1);
        // Recycled: newer name, header of an older segment. Only its page address gives it away.
        segment("000000010000000000000007", 0x400000, Headers.SYSID, MB1);
        Files.writeString(data.resolve("pg_wal/00000002.history"), "1\t0/6000000\tx\n");
        assertThat(ClusterIdentity.read(data)).isEqualTo(new ClusterIdentity(Headers.SYSID, 15, MB1));
    }

    @Test
    @DisplayName("refuses a pg_wal whose segments all belong to another cluster, naming the identifiers")
    void foreignWal() throws IOException {
        segment("000000010000000000000006", 0x600000, 42, MB1);
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOf(UserError.class)
                .hasMessageContaining("system identifier 42").hasMessageContaining(Long.toUnsignedString(Headers.SYSID));
    }

    @Test
    @DisplayName("refuses a pg_wal without any usable segment")
    void emptyWal() {
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOf(UserError.class)
                .hasMessageContaining("holds no WAL segment");
    }

    @Test
    @DisplayName("says which file is missing when the directory is not a data directory")
    void notADataDirectory() throws IOException {
        Files.delete(data.resolve("PG_VERSION"));
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
            assertThat(e.getMessage()).contains("not a PostgreSQL data directory").contains("PG_VERSION is missing");
        });
        assertThatThrownBy(() -> ClusterIdentity.read(data.resolve("nope"))).isInstanceOf(UserError.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    @DisplayName("refuses unsupported and unreadable PG_VERSION contents")
    void versions() throws IOException {
        Files.writeString(data.resolve("PG_VERSION"), "9.6\n");
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BINDING);
            assertThat(e.getMessage()).contains("PostgreSQL 9.6 is not supported");
        });
        Files.writeString(data.resolve("PG_VERSION"), "fifteen");
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOf(UserError.class)
                .hasMessageContaining("'fifteen'");
    }

    @Test
    @DisplayName("refuses a truncated pg_control")
    void shortControlFile() throws IOException {
        Files.write(data.resolve("global/pg_control"), new byte[3]);
        assertThatThrownBy(() -> ClusterIdentity.read(data)).isInstanceOf(UserError.class)
                .hasMessageContaining("3 bytes");
    }
}
