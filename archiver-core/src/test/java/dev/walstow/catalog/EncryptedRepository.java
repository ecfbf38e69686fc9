package dev.walstow.catalog;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A posix repository as the archiving host writes it: every object encrypted to a recipient whose secret key the
 * test may or may not use. 1 MiB segments; one backup on timeline 1 (segments 2 to 3) and WAL segments 2 to 6.
 * Shared by the catalog's and the command's tests of verify.
 */
public final class EncryptedRepository implements AutoCloseable {
    public static final WalSegmentSize SIZE = WalSegmentSize.ofMegabytes(1);
    public static final TimelineId T1 = new TimelineId(1);
    public static final String LABEL = "20260101T000000Z";

    public final Path root;
    public final Path publicKey;
    public final Path secretKey;
    /** The secret key of another pair: opens nothing in this repository. */
    public final Path otherSecretKey;
    public final Repository repository;
    private final WalCodec encoder;

    private EncryptedRepository(Path dir) {
        this.root = dir.resolve("repo");
        this.publicKey = dir.resolve("archive.pub.asc");
        this.secretKey = dir.resolve("archive.sec.asc");
        this.otherSecretKey = dir.resolve("other.sec.asc");
        KeyGenerator.generate("walstow test <archive@example.org>", Optional.empty(), publicKey, secretKey);
        KeyGenerator.generate("walstow test <other@example.org>", Optional.empty(), dir.resolve("other.pub.asc"),
                otherSecretKey);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.repository = new Repository(new PosixObjectStore(root));
        this.encoder = new WalCodec(new CodecSettings(1, new Encryption.PublicKey(
                OpenPgpKeys.readRecipient(publicKey), Optional.empty())));
        repository.writeBinding(RepositoryBinding.of(new ClusterIdentity(7, 15, SIZE), "2026-01-01T00:00:00Z",
                "test"));
        ObjectMeta label = put(BackupLayout.backupLabelKey(LABEL),
                "START WAL LOCATION: 0/200028".getBytes(StandardCharsets.UTF_8));
        BackupManifest.StoredPart part = new BackupManifest.StoredPart(BackupLayout.backupLabelKey(LABEL), 0,
                label.plainSize(), label.sha256());
        BackupCatalog.write(repository, new BackupManifest(BackupManifest.FORMAT, LABEL, "7", 150000, 1,
                "0/200028", "0/300100", "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z", SIZE.bytes(),
                encoder.codecName(), part, null, Map.of(), List.of(), List.of()));
        segments(T1, 2, 6);
    }

    /** Makes the keys and the repository in {@code dir}. */
    public static EncryptedRepository create(Path dir) {
        return new EncryptedRepository(dir);
    }

    /** Archives segments {@code first} to {@code last} of {@code timeline}, each a full segment. */
    public void segments(TimelineId timeline, long first, long last) {
        for (long n = first; n <= last; n++) {
            SegmentName s = SegmentName.of(timeline, n, SIZE);
            byte[] content = new byte[SIZE.bytes()];
            Arrays.fill(content, 0, 4096, (byte) n);
            put(RepositoryLayout.keyOf(s), content);
        }
    }

    public void history(TimelineId timeline, String text) {
        put(RepositoryLayout.keyOf(new HistoryName(timeline)), text.getBytes(StandardCharsets.UTF_8));
    }

    public static String segmentKey(TimelineId timeline, long n) {
        return RepositoryLayout.keyOf(SegmentName.of(timeline, n, SIZE));
    }

    /** The file that holds the stored bytes of {@code key} (a posix object is a link to it). */
    public Path dataFile(String key) {
        try {
            Path link = root.resolve(key);
            return link.resolveSibling(Files.readSymbolicLink(link));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts the stored bytes of {@code key} to half their length, as a torn copy would. */
    public void truncate(String key) {
        try (FileChannel f = FileChannel.open(dataFile(key), StandardOpenOption.WRITE)) {
            f.truncate(f.size() / 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectMeta put(String key, byte[] plain) {
        try {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            CodecResult r = encoder.encode(new ByteArrayInputStream(plain), stored);
            ObjectMeta meta = new ObjectMeta(r.sha256Hex(), r.plainSize(), encoder.codecName());
            repository.store().putIfAbsent(key, stored.toByteArray(), meta);
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        repository.close();
    }
}
