package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.posix.Tmpfs;
import static dev.walstow.storage.StoreFixtures.content;
import static dev.walstow.storage.StoreFixtures.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a posix repository reports a full, read-only or missing file system. */
class PosixObjectStoreFailureTest {
    @TempDir
    Path sandbox;

    private Tmpfs tmpfs;

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    private Path mountedRepository() throws Exception {
        Path mountPoint = Files.createDirectory(sandbox.resolve("mnt"));
        tmpfs = Tmpfs.mount(mountPoint, "256k");
        assumeTrue(tmpfs != null, "mounting a tmpfs is not permitted here (needs root)");
        return Files.createDirectory(mountPoint.resolve("repo"));
    }

    @Test
    @DisplayName("a full file system is NO_SPACE and leaves neither link nor temp file, so space is not lost")
    void noSpace() throws Exception {
        Path root = mountedRepository();
        PosixObjectStore store = new PosixObjectStore(root);
        byte[] big = randomBytes(1 << 20, 9);
        Path bigFile = Files.write(sandbox.resolve("big"), big);

        assertKind(() -> store.putIfAbsent("wal/big", big, ObjectMeta.ofPlain(big)),
                StorageException.Kind.NO_SPACE, "wal/big", root.toString());
        assertKind(() -> store.putIfAbsent("wal/big", bigFile, ObjectMeta.ofPlain(big)),
                StorageException.Kind.NO_SPACE, "wal/big", root.toString());

        assertThat(store.head("wal/big")).isEmpty();
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))).isEmpty();
        }
        // Only possible if the failed attempts gave their space back.
        byte[] small = randomBytes(100 << 10, 10);
        assertThat(store.putIfAbsent("wal/small", small, ObjectMeta.ofPlain(small))).isEqualTo(new PutResult.Created());
        assertThat(content(store.get("wal/small"))).containsExactly(small);
    }

    @Test
    @DisplayName("a full file system fails a streamed put with NO_SPACE, even if the writer wraps or swallows the "
            + "failure or then fails unchecked, and leaves no file behind")
    void noSpaceStreamed() throws Exception {
        Path root = mountedRepository();
        PosixObjectStore store = new PosixObjectStore(root);
        byte[] big = randomBytes(1 << 20, 11);
        ObjectWriter passing = out -> {
            out.write(big);
            return ObjectMeta.ofPlain(big);
        };
        ObjectWriter wrapping = out -> {
            try {
                out.write(big);
            } catch (IOException e) {
                throw new IOException("encoder failed", e); // a message that no longer says why
            }
            return ObjectMeta.ofPlain(big);
        };
        ObjectWriter swallowing = out -> {
            try {
                out.write(big);
            } catch (IOException e) {
                // carries on as if the bytes were written
            }
            return ObjectMeta.ofPlain(big);
        };

        ObjectWriter uncheckedAfter = out -> {
            try {
                out.write(big);
            } catch (IOException e) {
                throw new IllegalStateException("encoder state broken"); // says nothing about the disk
            }
            return ObjectMeta.ofPlain(big);
        };

        for (ObjectWriter writer : new ObjectWriter[] {passing, wrapping, swallowing, uncheckedAfter}) {
            assertKind(() -> store.putIfAbsent("wal/big", writer), StorageException.Kind.NO_SPACE, "wal/big",
                    root.toString());
        }

        assertThat(store.head("wal/big")).isEmpty();
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))).isEmpty();
        }
    }

    @Test
    @DisplayName("ENOSPC at any step, the key's link included, is NO_SPACE and leaves no hidden file behind")
    void noSpaceAtEveryStep() throws Exception {
        Path mountPoint = Files.createDirectory(sandbox.resolve("mnt"));
        boolean failedAtLink = false;
        // Out of inodes, a put fails at whichever step needs the next one; each filler file shifts that step by one.
        for (int fillers = 0; fillers < 3; fillers++) {
            tmpfs = Tmpfs.mount(mountPoint, "4m", 16);
            assumeTrue(tmpfs != null, "mounting a tmpfs is not permitted here (needs root)");
            for (int i = 0; i < fillers; i++) {
                Files.createFile(mountPoint.resolve("filler" + i));
            }
            Path root = Files.createDirectory(mountPoint.resolve("repo"));
            PosixObjectStore store = new PosixObjectStore(root);
            for (int i = 0; ; i++) {
                byte[] bytes = randomBytes(1000, i);
                String key = "wal/" + i;
                try {
                    assertThat(store.putIfAbsent(key, bytes, ObjectMeta.ofPlain(bytes))).isEqualTo(new PutResult.Created());
                } catch (StorageException e) {
                    assertThat(e.kind()).as(e.getMessage()).isEqualTo(StorageException.Kind.NO_SPACE);
                    failedAtLink |= e.getMessage().contains(root.resolve(key) + ": No space left on device");
                    assertThat(store.head(key)).isEmpty();
                    assertOnlyLinkedDataFiles(root);
                    break;
                }
            }
            tmpfs.close();
            tmpfs = null;
        }
        assertThat(failedAtLink).as("one put failed at symlink(2)").isTrue();
    }

    /** Every regular file is the target of a key's link: no temporary file, no unlinked data file. */
    static void assertOnlyLinkedDataFiles(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    assertThat(p.getFileName().toString()).startsWith(".");
                    Path link = p.resolveSibling(PosixNames.dataFileKeyName(p.getFileName().toString()).orElseThrow());
                    assertThat(Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(p.getFileName()))
                            .as("%s is linked", p).isTrue();
                }
            }
        }
    }

    @Test
    @DisplayName("a read-only file system is PERMISSION_DENIED for puts while existing objects stay readable")
    void readOnly() throws Exception {
        Path root = mountedRepository();
        PosixObjectStore store = new PosixObjectStore(root);
        byte[] bytes = {1, 2, 3};
        store.putIfAbsent("wal/old", bytes, ObjectMeta.ofPlain(bytes));
        tmpfs.remountReadOnly();

        assertKind(() -> store.putIfAbsent("wal/new", bytes, ObjectMeta.ofPlain(bytes)),
                StorageException.Kind.PERMISSION_DENIED, "wal/new", "Read-only file system");
        assertKind(() -> store.putIfAbsent("other/new", bytes, ObjectMeta.ofPlain(bytes)),
                StorageException.Kind.PERMISSION_DENIED, "other/new", root.toString());
        assertKind(() -> store.delete("wal/old"), StorageException.Kind.PERMISSION_DENIED, "wal/old");

        assertThat(store.putIfAbsent("wal/old", bytes, ObjectMeta.ofPlain(bytes)))
                .isEqualTo(new PutResult.Exists(ObjectMeta.ofPlain(bytes)));
        assertThat(content(store.get("wal/old"))).containsExactly(bytes);
    }

    @Test
    @DisplayName("an immutable directory (EPERM) is PERMISSION_DENIED")
    void immutableDirectory() throws Exception {
        Path root = Files.createDirectory(sandbox.resolve("repo"));
        Path dir = Files.createDirectory(root.resolve("wal"));
        assumeTrue(Tmpfs.run("chattr", "+i", dir.toString()), "chattr +i is not permitted here");
        try {
            PosixObjectStore store = new PosixObjectStore(root);
            assertKind(() -> store.putIfAbsent("wal/x", new byte[] {1}, ObjectMeta.ofPlain(new byte[] {1})),
                    StorageException.Kind.PERMISSION_DENIED, "wal/x", "Operation not permitted");
        } finally {
            Tmpfs.run("chattr", "-i", dir.toString());
        }
    }

    @Test
    @DisplayName("a missing repository root is UNAVAILABLE for every operation and is not created")
    void missingRoot() throws Exception {
        Path root = sandbox.resolve("not-mounted");
        PosixObjectStore store = new PosixObjectStore(root);
        byte[] bytes = {1};
        Path file = Files.write(sandbox.resolve("in"), bytes);

        for (ThrowingCallable call : new ThrowingCallable[] {
                () -> store.putIfAbsent("wal/x", bytes, ObjectMeta.ofPlain(bytes)),
                () -> store.putIfAbsent("wal/x", file, ObjectMeta.ofPlain(bytes)),
                () -> store.putIfAbsent("wal/x", out -> ObjectMeta.ofPlain(bytes)),
                () -> store.head("wal/x"), () -> store.get("wal/x"), () -> store.delete("wal/x"),
                () -> store.list("wal/"), () -> store.cleanAbandonedUploads(java.time.Duration.ZERO, false)}) {
            assertKind(call, StorageException.Kind.UNAVAILABLE, root.toString(), "does not exist");
        }
        assertThat(root).doesNotExist();
    }

    private static void assertKind(ThrowingCallable call, StorageException.Kind kind, String... inMessage) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(inMessage);
        });
    }
}
