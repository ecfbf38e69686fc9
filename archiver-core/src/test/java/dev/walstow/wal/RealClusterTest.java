package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.walstow.error.WalRejected;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the WAL model against clusters made by a real PostgreSQL 15 initdb, and against what pg_controldata says
 * about them, so that the header layout and magic are not only our own reading of the C headers.
 */
class RealClusterTest {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static Path root;
    private static final Map<Integer, Path> CLUSTERS = new HashMap<>();

    @BeforeAll
    static void initClusters() throws Exception {
        assumeTrue(Files.isExecutable(BIN.resolve("initdb")), "PostgreSQL 15 is not installed at " + BIN);
        // initdb refuses to run as root, so as root it runs as postgres, which must be able to traverse the dir.
        root = Files.createTempDirectory(Path.of("/tmp"), "walstow-test-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int mb : List.of(16, 1, 64)) {
            Path dir = root.resolve("pg" + mb);
            Files.createDirectory(dir);
            if (ROOT) {
                Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres"));
            }
            run(BIN.resolve("initdb").toString(), "-D", dir.toString(), "--wal-segsize=" + mb, "-A", "trust",
                    "--no-sync", "--no-instructions");
            CLUSTERS.put(mb, dir);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (root == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String run(String... command) throws Exception {
        List<String> cmd = ROOT ? Stream.concat(Stream.of("runuser", "-u", "postgres", "--"), Stream.of(command))
                .toList() : List.of(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", cmd, out).isZero();
        return out;
    }

    /** pg_controldata's "Label: value" lines. */
    private static Map<String, String> controlData(Path dir) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String line : run(BIN.resolve("pg_controldata").toString(), dir.toString()).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return m;
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(XLogLongPageHeader.LENGTH);
        }
    }

    @ParameterizedTest(name = "--wal-segsize={0}")
    @ValueSource(ints = {16, 1, 64})
    @DisplayName("reads the identity pg_controldata reports from a fresh cluster")
    void readsIdentity(int mb) throws Exception {
        Path dir = CLUSTERS.get(mb);
        Map<String, String> control = controlData(dir);
        ClusterIdentity id = ClusterIdentity.read(dir);
        assertThat(id.systemIdentifierText()).isEqualTo(control.get("Database system identifier"));
        assertThat(id.pgMajor()).isEqualTo(15);
        assertThat(id.segmentSize()).isEqualTo(WalSegmentSize.ofMegabytes(mb));
        assertThat((long) id.segmentSize().bytes()).isEqualTo(Long.parseLong(control.get("Bytes per WAL segment")));
    }

    @ParameterizedTest(name = "--wal-segsize={0}")
    @ValueSource(ints = {16, 1, 64})
    @DisplayName("accepts the cluster's current segment and refuses it for another cluster's repository")
    void validatesOwnSegment(int mb) throws Exception {
        Path dir = CLUSTERS.get(mb);
        WalFileName name = WalFileName.parse(controlData(dir).get("Latest checkpoint's REDO WAL file"));
        Path file = dir.resolve("pg_wal").resolve(name.fileName());
        ClusterIdentity own = ClusterIdentity.read(dir);
        assertThatCode(() -> WalFileValidator.validateSegment(name, head(file), Files.size(file), own))
                .doesNotThrowAnyException();

        ClusterIdentity other = ClusterIdentity.read(CLUSTERS.get(mb == 16 ? 64 : 16));
        ClusterIdentity foreign = new ClusterIdentity(other.systemIdentifier(), 15, own.segmentSize());
        assertThatThrownBy(() -> WalFileValidator.validateSegment(name, head(file), Files.size(file), foreign))
                .isInstanceOf(WalRejected.class).hasMessageContaining("another cluster")
                .hasMessageContaining(own.systemIdentifierText()).hasMessageContaining(other.systemIdentifierText());
        assertThatThrownBy(() -> WalFileValidator.validateSegment(name, head(file), Files.size(file), other))
                .isInstanceOf(WalRejected.class);
    }

    @Test
    @DisplayName("refuses the segments initdb recycled in a 1 MiB cluster because their page address is stale")
    void refusesRecycledSegments() throws Exception {
        Path dir = CLUSTERS.get(1);
        ClusterIdentity id = ClusterIdentity.read(dir);
        String redo = controlData(dir).get("Latest checkpoint's REDO WAL file");
        List<Path> later;
        try (Stream<Path> files = Files.list(dir.resolve("pg_wal"))) {
            later = files.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))
                    .filter(p -> p.getFileName().toString().compareTo(redo) > 0).toList();
        }
        // initdb writes several 1 MiB segments and recycles the old ones as future segments.
        assertThat(later).isNotEmpty();
        for (Path p : later) {
            XLogLongPageHeader h = XLogLongPageHeader.parse(head(p));
            SegmentName name = SegmentName.parse(p.getFileName().toString());
            assertThat(h.pageLsn()).isLessThan(name.startLsn(id.segmentSize()));
            assertThatThrownBy(() -> WalFileValidator.validateSegment(name, head(p), Files.size(p), id))
                    .isInstanceOf(WalRejected.class).hasMessageContaining("page address " + h.pageLsn());
        }
    }
}
