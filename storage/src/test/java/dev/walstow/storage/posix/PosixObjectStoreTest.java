package dev.walstow.storage.posix;

import dev.walstow.storage.LocalProcess;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.ObjectStoreContractTest;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import static dev.walstow.storage.StoreFixtures.assertSameBytes;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract plus the on-disk layout of a posix repository. */
class PosixObjectStoreTest extends ObjectStoreContractTest {
    @TempDir
    Path sandbox;

    Path root;

    @Override
    protected boolean listsStoredTimes() {
        return true;
    }

    @Override
    protected ObjectStore newStore() throws Exception {
        root = Files.createDirectory(sandbox.resolve("repo"));
        return new PosixObjectStore(root);
    }

    @Override
    protected boolean abandonAnUpload(String key) throws Exception {
        Path link = root.resolve(key);
        Files.write(Files.createDirectories(link.getParent()).resolve(PosixNames.tempName(link.getFileName()
                .toString())), new byte[] {1, 2, 3});
        return true;
    }

    @Override
    protected boolean abandonAnUploadOfDeadWriter(String key) throws Exception {
        LocalProcess self = LocalProcess.current().orElse(null);
        if (self == null) {
            return false;
        }
        // This pid with another start time: the pid was reused, so the writer is gone.
        String dead = new LocalProcess(self.bootId(), self.pidNamespace(), self.pid(), self.startTicks() + 1).token();
        Path link = root.resolve(key);
        Files.write(Files.createDirectories(link.getParent()).resolve("." + link.getFileName()
                + ".tmp.0123456789abcdef." + dead), new byte[] {1, 2, 3});
        return true;
    }

    @Override
    protected void assertNothingStoredOutsideObjects() throws Exception {
        try (Stream<Path> all = Files.walk(sandbox)) {
            assertThat(all).containsExactlyInAnyOrder(sandbox, root);
        }
    }

    /** Every file in the repository is the data file of a key: no temporary file, no unlinked data file. */
    @Override
    protected void assertNoLeftovers() throws Exception {
        List<Path> files = new ArrayList<>();
        List<Path> linked = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    linked.add(p.resolveSibling(Files.readSymbolicLink(p)));
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        assertThat(files).containsExactlyInAnyOrderElementsOf(linked);
    }

    @Test
    @DisplayName("the key is a relative link, so a moved repository still works")
    void movedRepository() throws Exception {
        byte[] bytes = randomBytes(5000, 7);
        store.putIfAbsent("wal/0001/seg", bytes, ObjectMeta.ofPlain(bytes));
        Path link = root.resolve("wal/0001/seg");

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link).toString())
                .isEqualTo(".seg." + ObjectMeta.ofPlain(bytes).sha256() + ".5000.plain");
        // A human (gpg --decrypt) opens the key's path directly and must get the stored bytes.
        assertSameBytes(Files.readAllBytes(link), bytes);

        Path moved = Files.move(root, sandbox.resolve("moved"));
        try (ObjectStore relocated = new PosixObjectStore(moved)) {
            assertThat(relocated.head("wal/0001/seg")).contains(ObjectMeta.ofPlain(bytes));
            assertSameBytes(content(relocated.get("wal/0001/seg")), bytes);
            assertThat(relocated.list("")).containsExactly("wal/0001/seg");
        }
    }

    @Test
    @DisplayName("new directories are 0750 and data files 0640, whatever the umask")
    void permissions() throws Exception {
        store.putIfAbsent("p/q/obj", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1}));

        Path data = root.resolve("p/q").resolve(Files.readSymbolicLink(root.resolve("p/q/obj")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("p")))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("p/q")))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rw-r-----");
    }

    @Test
    @DisplayName("leftovers of a crashed put are invisible and do not block a later put")
    void crashLeftovers() throws Exception {
        byte[] bytes = randomBytes(3000, 8);
        ObjectMeta meta = ObjectMeta.ofPlain(bytes);
        Path dir = Files.createDirectories(root.resolve("wal"));
        // A crash before the rename leaves a partial temp file; one after it leaves a complete data file, unlinked.
        Files.write(dir.resolve(".seg.tmp.00000000deadbeef"), new byte[] {1, 2});
        Files.write(dir.resolve(".seg." + meta.sha256() + ".3000.plain"), bytes);
        Files.write(dir.resolve(".seg." + "0".repeat(64) + ".7.zstd"), new byte[] {9});

        assertThat(store.head("wal/seg")).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertThat(store.putIfAbsent("wal/seg", bytes, meta)).isEqualTo(new PutResult.Created());

        assertThat(store.head("wal/seg")).contains(meta);
        assertSameBytes(content(store.get("wal/seg")), bytes);
        assertThat(store.list("")).containsExactly("wal/seg");
    }

    @Test
    @DisplayName("a regular file under a key is corrupt, with a hint to copy with symlinks")
    void regularFileIsCorrupt() throws Exception {
        // What "cp -r" makes of a repository: the link replaced by a copy of its target.
        Files.write(Files.createDirectories(root.resolve("wal")).resolve("seg"), new byte[] {1});

        assertCorrupt("wal/seg", "regular file");
        assertThatThrownBy(() -> store.putIfAbsent("wal/seg", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1})))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT));
        assertThat(Files.readAllBytes(root.resolve("wal/seg"))).containsExactly(1);
    }

    @Test
    @DisplayName("a dangling link or a link to a foreign name under a key is corrupt")
    void badLinksAreCorrupt() throws Exception {
        Path dir = Files.createDirectories(root.resolve("wal"));
        Files.createSymbolicLink(dir.resolve("gone"), Path.of(".gone." + "1".repeat(64) + ".10.plain"));
        Files.write(dir.resolve("notes.txt"), new byte[] {1});
        Files.createSymbolicLink(dir.resolve("foreign"), Path.of("notes.txt"));

        assertCorrupt("wal/gone", "dangling");
        assertCorrupt("wal/foreign", "notes.txt");
    }

    private void assertCorrupt(String key, String found) {
        for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> store.head(key), () -> store.get(key))) {
            assertThatThrownBy(call).isInstanceOfSatisfying(StorageException.class, e -> {
                assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT);
                assertThat(e.getMessage()).contains(key, root.toString(), found, "cp -a or rsync -a");
            });
        }
    }

    @Test
    @DisplayName("delete removes the link and its data file but leaves unrelated files alone")
    void deleteRemovesDataFile() throws Exception {
        store.putIfAbsent("wal/seg", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1}));
        Files.write(root.resolve("wal/notes.txt"), new byte[] {2});
        Files.createSymbolicLink(root.resolve("wal/foreign"), Path.of("notes.txt"));

        assertThat(store.delete("wal/seg")).isTrue();
        assertThat(store.delete("wal/foreign")).isTrue();

        try (Stream<Path> files = Files.list(root.resolve("wal"))) {
            assertThat(files).containsExactly(root.resolve("wal/notes.txt"));
        }
    }
}
