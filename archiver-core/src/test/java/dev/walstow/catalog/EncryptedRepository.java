package dev.walstow.catalog;

import dev.walstow.archive.Retrier;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupManifest.FileEntry;
import dev.walstow.backup.BackupManifest.FileKind;
import dev.walstow.backup.BackupType;
import dev.walstow.backup.delta.IncrementalInput;
import dev.walstow.codec.CodecResult;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.runtime.Progress;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A posix repository as the archiving host writes it: every object encrypted to a recipient whose secret key the
 * test may or may not use. 1 MiB segments; one backup on timeline 1 (segments 2 to 3) and WAL segments 2 to 6; a
 * test adds chains of full, differential and incremental backups with {@link #backup}.
 * Shared by the catalog's and the command's tests of verify.
 */
public final class EncryptedRepository implements AutoCloseable {
    public static final WalSegmentSize SIZE = WalSegmentSize.ofMegabytes(1);
    public static final TimelineId T1 = new TimelineId(1);
    public static final String LABEL = "20260101T000000Z";
    /** BLCKSZ of the backups made by {@link #backup}. */
    public static final int BLOCK = 8192;
    /** Labels of the backups {@link #chain} makes: full, incr, incr. */
    public static final List<String> CHAIN = List.of("20260102T000000Z", "20260103T000000Z", "20260104T000000Z");
    /** The relation file of {@link #chain}. */
    public static final String RELATION = "base/5/16384";

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

    /**
     * A complete backup on timeline 1 of {@code type}, building on {@code reference} (null for a full), from
     * {@code startLsn} to {@code stopLsn}, with {@code files} (their objects stored with {@link #part}).
     */
    public BackupManifest backup(String label, BackupType type, String reference, String startLsn, String stopLsn,
            List<BackupManifest.FileEntry> files) {
        BackupManifest.StoredPart labelPart = part(BackupLayout.backupLabelKey(label), 0,
                ("START WAL LOCATION: " + startLsn).getBytes(StandardCharsets.UTF_8));
        String started = BackupLayout.startOf(label).toString();
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT, label, "7", 150000, 1, startLsn, stopLsn,
                started, BackupLayout.startOf(label).plusSeconds(600).toString(), SIZE.bytes(), encoder.codecName(),
                labelPart, null, Map.of(), List.of(), files).withChain(type, reference, BLOCK,
                type == BackupType.FULL ? null : "page-scan", new BackupManifest.Stats(0, 0, 0));
        BackupCatalog.write(repository, m);
        return m;
    }

    /** Stores {@code plain} encrypted at {@code key}, as the part of a file at {@code offset}. */
    public BackupManifest.StoredPart part(String key, long offset, byte[] plain) {
        ObjectMeta meta = put(key, plain);
        return new BackupManifest.StoredPart(key, offset, meta.plainSize(), meta.sha256());
    }

    /**
     * The plaintext of an incremental object ({@code IncrementalFormat}) holding blocks {@code numbers} of
     * {@code file}, as {@code walstow backup} writes it.
     */
    public static byte[] incrementalObject(Path file, int... numbers) {
        try (FileChannel channel = FileChannel.open(file)) {
            return IncrementalInput.listed(channel, 0, channel.size(), BLOCK, numbers).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archiving host's codec: the recipient, no secret key. */
    public WalCodec recipientOnly() {
        return new WalCodec(new CodecSettings(1, new Encryption.PublicKey(OpenPgpKeys.readRecipient(publicKey),
                Optional.empty())));
    }

    /** A restore host's codec, with {@code secret} ({@link #secretKey} or {@link #otherSecretKey}). */
    public WalCodec withSecret(Path secret) {
        return new WalCodec(new CodecSettings(1, new Encryption.PublicKey(OpenPgpKeys.readRecipient(publicKey),
                Optional.of(OpenPgpKeys.readSecret(secret, Optional.empty())))));
    }

    /** {@code walstow verify} of this repository with {@code codec}, two at a time, one attempt per read. */
    public RepositoryVerify.Report verify(WalCodec codec) {
        return new RepositoryVerify(BoundRepository.open(repository, codec),
                new Retrier(new RetryConfig(1, Duration.ofMillis(1), Duration.ofMillis(1)))).run(2, Progress.silent());
    }

    /**
     * A chain after the first backup, on segments 4 to 6: a full ({@link #CHAIN} 0) with the 2-block relation file
     * {@link #RELATION}, an incremental of it with block 1 changed, an incremental of that with the file unchanged.
     *
     * @param scratch a directory for the relation file the incremental object is cut from
     * @return the three backups, oldest first
     */
    public List<BackupManifest> chain(Path scratch) {
        byte[] relation = new byte[2 * BLOCK];
        Arrays.fill(relation, (byte) 1);
        BackupManifest.StoredPart whole = part(BackupLayout.partKey(CHAIN.get(0), 0, 0), 0, relation);
        BackupManifest full = backup(CHAIN.get(0), BackupType.FULL, null, "0/400028", "0/400100",
                List.of(new FileEntry(RELATION, relation.length, "600", List.of(whole))));

        Arrays.fill(relation, BLOCK, relation.length, (byte) 2); // block 1 changed
        BackupManifest.StoredPart changed;
        try {
            changed = part(BackupLayout.partKey(CHAIN.get(1), 0, 0), 0,
                    incrementalObject(Files.write(scratch.resolve("16384"), relation), 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackupManifest incr1 = backup(CHAIN.get(1), BackupType.INCR, full.label(), "0/500028", "0/500100",
                List.of(new FileEntry(RELATION, relation.length, "600", List.of(changed),
                        FileKind.INCREMENTAL.text())));
        BackupManifest incr2 = backup(CHAIN.get(2), BackupType.INCR, incr1.label(), "0/600028", "0/600100",
                List.of(new FileEntry(RELATION, relation.length, "600", List.of(), FileKind.UNCHANGED.text())));
        return List.of(full, incr1, incr2);
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
