package dev.walstow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.WalCodec;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A posix repository without encryption, made up for a test of the in-process commands: a binding, backups whose
 * manifests are as {@code walstow backup} writes them, WAL segments, every object encoded as walstow stores it (so
 * {@code verify} reads them back intact), and a configuration file pointing at it. PostgreSQL is a socket directory
 * where no server listens.
 */
final class PosixTestRepository {
    static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    static final TimelineId T1 = new TimelineId(1);
    static final String SYSTEM = "7301234567890123456";

    private static final WalCodec CODEC = new WalCodec(new CodecSettings(1, new Encryption.None()));

    final Path root;
    final Path config;
    final Repository repository;

    private PosixTestRepository(Path root, Path config) {
        this.root = root;
        this.config = config;
        this.repository = new Repository(new PosixObjectStore(root));
    }

    /** A bound, empty repository in {@code dir}/repo; {@code extraToml} is appended to the configuration. */
    static PosixTestRepository create(Path dir, String extraToml) throws IOException {
        Path root = Files.createDirectories(dir.resolve("repo"));
        Path config = Files.writeString(dir.resolve("walstow.toml"), """
                [repository]
                path = "%s"
                [encryption]
                enabled = false
                [postgres]
                host = "%s"
                [retry]
                attempts = 1
                """.formatted(root, Files.createDirectories(dir.resolve("no-server"))) + extraToml);
        PosixTestRepository r = new PosixTestRepository(root, config);
        r.repository.writeBinding(RepositoryBinding.of(new ClusterIdentity(Long.parseUnsignedLong(SYSTEM), 15, SIZE),
                "2026-01-01T00:00:00Z", "test"));
        return r;
    }

    /** A complete backup on timeline 1 from segment {@code start} to {@code stop}, stopped at {@code stopTime}. */
    BackupManifest backup(long start, long stop, String stopTime) throws IOException {
        Instant stopped = Instant.parse(stopTime);
        String label = BackupLayout.labelFor(stopped.minusSeconds(600));
        BackupManifest.StoredPart labelPart = put(BackupLayout.backupLabelKey(label), "START WAL LOCATION\n", 0);
        BackupManifest.StoredPart data = put(BackupLayout.partKey(label, 0, 0), "15\n", 0);
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT, label, SYSTEM, 150004, T1.value(),
                SegmentName.of(T1, start, SIZE).startLsn(SIZE).plus(0x28).toString(),
                SegmentName.of(T1, stop, SIZE).startLsn(SIZE).plus(0x100).toString(),
                stopped.minusSeconds(600).toString(), stopTime, SIZE.bytes(), CODEC.codecName(), labelPart, null,
                Map.of(), List.of(), List.of(new BackupManifest.FileEntry("PG_VERSION", data.size(), "600",
                        List.of(data))));
        byte[] json = new ObjectMapper().writeValueAsBytes(m);
        repository.store().putIfAbsent(BackupLayout.manifestKey(label), json, ObjectMeta.ofPlain(json));
        return m;
    }

    /** WAL segments {@code first} to {@code last} of timeline 1. */
    void segments(long first, long last) throws IOException {
        for (long n = first; n <= last; n++) {
            put(RepositoryLayout.keyOf(SegmentName.of(T1, n, SIZE)), "WAL " + n, 0);
        }
    }

    static String segment(long n) {
        return SegmentName.of(T1, n, SIZE).fileName();
    }

    private BackupManifest.StoredPart put(String key, String content, long offset) throws IOException {
        byte[] plain = content.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        CodecResult r = CODEC.encode(new ByteArrayInputStream(plain), stored);
        repository.store().putIfAbsent(key, stored.toByteArray(), new ObjectMeta(r.sha256Hex(), r.plainSize(),
                CODEC.codecName()));
        return new BackupManifest.StoredPart(key, offset, plain.length, r.sha256Hex());
    }
}
