package dev.walstow.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.codec.CodecResult;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.daemon.TestWal;
import dev.walstow.error.DataError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ArchiveGet still checks when an encrypted segment's SHA-256 is not recomputed (WalCodec.Digest). */
class ArchiveGetVerifyTest {
    @TempDir
    Path tmp;
    private WalCodec codec;
    private Repository repository;
    private ArchiveGet get;

    @BeforeEach
    void encryptedRepository() {
        Path pub = tmp.resolve("k.pub.asc");
        Path sec = tmp.resolve("k.sec.asc");
        KeyGenerator.generate("walstow test <get@example.org>", Optional.empty(), pub, sec);
        codec = new WalCodec(new CodecSettings(1, new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub),
                Optional.of(OpenPgpKeys.readSecret(sec, Optional.empty())))));
        repository = new Repository(new InMemoryObjectStore());
        repository.writeBinding(RepositoryBinding.of(TestWal.CLUSTER, "2026-11-21T00:00:00Z", "test"));
        get = new ArchiveGet(BoundRepository.open(repository, codec));
    }

    /** Stores NAME's bytes with metadata that may lie about them. */
    private void store(WalFileName name, byte[] plain, String sha256, long size) throws Exception {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        codec.encode(new ByteArrayInputStream(plain), stored);
        repository.store().putIfAbsent(RepositoryLayout.keyOf(name), stored.toByteArray(),
                new ObjectMeta(sha256, size, codec.codecName()));
    }

    private String sha256(byte[] plain) throws Exception {
        CodecResult r = codec.encode(new ByteArrayInputStream(plain), java.io.OutputStream.nullOutputStream());
        return r.sha256Hex();
    }

    @Test
    @DisplayName("an encrypted segment is restored without recomputing its SHA-256, but a wrong recorded size is refused")
    void segmentSizeStillChecked() throws Exception {
        byte[] plain = TestWal.segment(TestWal.seg(1, 1), 1);
        store(TestWal.seg(1, 1), plain, sha256(plain), plain.length);
        store(TestWal.seg(1, 2), TestWal.segment(TestWal.seg(1, 2), 1), sha256(plain), plain.length + 1);

        assertThat(get.get(TestWal.seg(1, 1), tmp.resolve("ok"))).isEqualTo(ArchiveGet.Outcome.FETCHED);
        assertThat(Files.readAllBytes(tmp.resolve("ok"))).isEqualTo(plain);
        assertThatThrownBy(() -> get.get(TestWal.seg(1, 2), tmp.resolve("bad")))
                .isInstanceOf(DataError.class).hasMessageContaining("checksum mismatch");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    @DisplayName("a history file has no page header to name it, so its recorded SHA-256 is always compared")
    void historyAlwaysDigested() throws Exception {
        HistoryName history = new HistoryName(new TimelineId(2));
        byte[] plain = "1\t0/3000000\tno recovery target specified\n".getBytes(StandardCharsets.US_ASCII);
        byte[] other = "1\t0/4000000\tno recovery target specified\n".getBytes(StandardCharsets.US_ASCII);
        store(history, other, sha256(plain), plain.length);

        assertThatThrownBy(() -> get.get(history, tmp.resolve("RECOVERYHISTORY")))
                .isInstanceOf(DataError.class).hasMessageContaining("checksum mismatch");
        assertThat(tmp.resolve("RECOVERYHISTORY")).doesNotExist();
    }
}
