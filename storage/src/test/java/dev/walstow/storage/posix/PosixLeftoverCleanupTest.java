package dev.walstow.storage.posix;

import dev.walstow.storage.LocalProcess;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStoreContractTest;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import static dev.walstow.storage.posix.PosixObjectStoreFailureTest.assertOnlyLinkedDataFiles;
import static dev.walstow.storage.StoreFixtures.assertSameBytes;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a posix put leaves when it fails at or after its commit point, and what the daemon's start-up sweep removes. */
class PosixLeftoverCleanupTest {
    private static final byte[] BYTES = randomBytes(5000, 21);
    private static final ObjectMeta META = ObjectMeta.ofPlain(BYTES);

    @TempDir
    Path root;

    private PosixObjectStore failingAtLink(PosixPut.LinkStep step) {
        return new PosixObjectStore(root, step);
    }

    private static IOException noSpace(Path link) {
        return new FileSystemException(link.toString(), null, "No space left on device");
    }

    @Test
    @DisplayName("a put failing at its link with ENOSPC is NO_SPACE and removes its data and temporary files")
    void failedLinkLeavesNothing() throws Exception {
        PosixObjectStore store = failingAtLink((link, target) -> {
            throw noSpace(link);
        });

        assertThatThrownBy(() -> store.putIfAbsent("wal/seg", BYTES, META)).isInstanceOfSatisfying(
                StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE));
        assertThatThrownBy(() -> store.putIfAbsent("wal/seg", ObjectStoreContractTest.writing(BYTES)))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE));

        try (var files = Files.list(root.resolve("wal"))) {
            assertThat(files).isEmpty();
        }
        assertThat(new PosixObjectStore(root).putIfAbsent("wal/seg", BYTES, META)).isEqualTo(new PutResult.Created());
    }

    @Test
    @DisplayName("a put failing after its link was created keeps the data file: the key holds the whole object")
    void failureAfterLinkKeepsObject() throws Exception {
        PosixObjectStore store = failingAtLink((link, target) -> {
            Files.createSymbolicLink(link, target);
            throw new IOException("Input/output error");
        });

        assertThatThrownBy(() -> store.putIfAbsent("wal/seg", BYTES, META)).isInstanceOfSatisfying(
                StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.IO));

        assertThat(store.head("wal/seg")).contains(META);
        assertSameBytes(content(store.get("wal/seg")), BYTES);
        assertOnlyLinkedDataFiles(root);
    }

    @Test
    @DisplayName("a put failing at its link never removes the data file a racing put of the same content linked")
    void failureKeepsRacersDataFile() throws Exception {
        PosixObjectStore racer = new PosixObjectStore(root);
        PosixObjectStore store = failingAtLink((link, target) -> {
            assertThat(racer.putIfAbsent("wal/seg", BYTES, META)).isEqualTo(new PutResult.Created());
            throw noSpace(link);
        });

        assertThatThrownBy(() -> store.putIfAbsent("wal/seg", BYTES, META)).isInstanceOf(StorageException.class);

        assertSameBytes(content(racer.get("wal/seg")), BYTES);
        assertOnlyLinkedDataFiles(root);
    }

    @Test
    @DisplayName("a put whose data file a failing racer removed just before the link restores it from its own copy")
    void linkedPutRestoresRemovedDataFile() throws Exception {
        PosixObjectStore store = failingAtLink((link, target) -> {
            Files.delete(link.resolveSibling(target)); // what a failed put of the same content does meanwhile
            Files.createSymbolicLink(link, target);
        });

        assertThat(store.putIfAbsent("wal/seg", BYTES, META)).isEqualTo(new PutResult.Created());

        assertSameBytes(content(store.get("wal/seg")), BYTES);
        assertOnlyLinkedDataFiles(root);
    }

    @Test
    @DisplayName("the start-up sweep removes what dead writers left at once, and never an object, a live writer's "
            + "file, or what it cannot prove dead")
    void startUpSweep() throws Exception {
        LocalProcess self = LocalProcess.current().orElse(null);
        assumeTrue(self != null, "/proc does not name this process's boot, pid namespace and start time");
        // The same pid started at another time: the pid was reused, so the writer that named these files is gone.
        String dead = new LocalProcess(self.bootId(), self.pidNamespace(), self.pid(), self.startTicks() + 1).token();
        String otherBoot = new LocalProcess("f".repeat(32), self.pidNamespace(), 1, 1).token();
        PosixObjectStore store = new PosixObjectStore(root);
        store.putIfAbsent("wal/kept", BYTES, META);
        Path dir = root.resolve("wal");
        Path keptData = dir.resolve(Files.readSymbolicLink(dir.resolve("kept")));

        // Killed mid-write; killed after placing its data file, before linking; killed after linking.
        Path partial = Files.write(dir.resolve(".a.tmp.0000000000000001." + dead), new byte[] {1});
        Path orphanHandle = Files.write(dir.resolve(".b.tmp.0000000000000002." + dead), BYTES);
        Path orphanData = Files.createLink(dir.resolve(PosixNames.dataName("b", META)), orphanHandle);
        Path keptHandle = Files.createLink(dir.resolve(".kept.tmp.0000000000000003." + dead), keptData);
        // A live writer (this process), another boot or host, an older version, a data file with no proof.
        Path live = Files.write(dir.resolve(PosixNames.tempName("c")), BYTES);
        Path foreign = Files.write(dir.resolve(".d.tmp.0000000000000004." + otherBoot), BYTES);
        Path unnamed = Files.write(dir.resolve(".e.tmp.0000000000000005"), BYTES);
        Path unproven = Files.write(dir.resolve(PosixNames.dataName("f", META)), BYTES);

        assertThat(store.cleanLeftoversOfDeadWriters()).isEqualTo(4);

        assertThat(partial).doesNotExist();
        assertThat(orphanHandle).doesNotExist();
        assertThat(orphanData).doesNotExist();
        assertThat(keptHandle).doesNotExist();
        assertThat(keptData).exists();
        assertThat(live).exists();
        assertThat(foreign).exists();
        assertThat(unnamed).exists();
        assertThat(unproven).exists();
        assertSameBytes(content(store.get("wal/kept")), BYTES);
        assertThat(store.list("")).containsExactly("wal/kept");
        assertThat(store.cleanLeftoversOfDeadWriters()).isZero();
    }
}
