package dev.walstow.storage.posix;

import dev.walstow.storage.ListedObject;
import dev.walstow.storage.ObjectKey;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.storage.ObjectWriter;
import dev.walstow.storage.PutResult;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.StoredObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link ObjectStore} in a local or NFS directory.
 *
 * <p>Layout: key {@code a/b/NAME} is {@code <root>/a/b/NAME}, a <em>relative</em> symbolic link to the hidden data
 * file {@code .NAME.<sha256>.<plainSize>.<codec>} in the same directory. The link is created last and create-only,
 * so it is the commit point: a key has either no link or a link to a complete, fsync'd file, and its metadata
 * ({@code readlink}) can never disagree with it. Opening {@code <root>/a/b/NAME} directly reads the stored bytes, so
 * an operator can {@code gpg --decrypt} it; the relative link keeps working when the repository is moved. Copies must
 * preserve symbolic links ({@code cp -a}, {@code rsync -a}); anything else under a key is reported as
 * {@link StorageException.Kind#CORRUPT}.
 *
 * <p>A put that fails, for whatever reason, removes the files it created, its data file included unless a key
 * links to it ({@link PosixPut}); so only a process that dies mid-put leaves hidden files behind, which
 * {@link #cleanLeftoversOfDeadWriters} (the daemon, at start) and {@link #cleanAbandonedUploads} ({@code walstow
 * expire}, by age) remove.
 *
 * <p>Directories are created 0750 and files 0640: WAL is sensitive even when encrypted.
 *
 * <p>The root must already exist ({@code walstow init} creates it); it is never created here, so an unmounted NFS
 * path fails with {@link StorageException.Kind#UNAVAILABLE} instead of silently filling a local directory.
 *
 * <p>Limitations: a key cannot be both an object and a prefix of other keys ({@code a} and {@code a/b}); and
 * {@link #delete} racing a put of the <em>same</em> key and content may remove the data file that put just linked,
 * so delete only keys nobody is pushing. {@link #cleanAbandonedUploads} has the same race in a narrower form: a put
 * writes a fresh data file, which is never old enough to be removed, unless it replaces a same-named leftover that
 * is, between the sweep's age check and its delete; that needs a crashed put of the same key and content older
 * than the age, and PostgreSQL retries a failed push within minutes, so keep the age in hours.
 */
public final class PosixObjectStore implements ObjectStore {
    private final Path root;
    private final PosixChannelOutput.Buffers buffers = new PosixChannelOutput.Buffers();
    private final PosixPut puts;

    /** @param root the repository directory; must exist when objects are stored or read */
    public PosixObjectStore(Path root) {
        this(root, PosixPut.SYMLINK);
    }

    /** With another commit step than {@code symlink(2)}: for tests that fail or race there. */
    PosixObjectStore(Path root, PosixPut.LinkStep linkStep) {
        this.root = root.toAbsolutePath().normalize();
        this.puts = new PosixPut(this.root, linkStep);
    }

    /** The repository directory. */
    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return "posix:" + root;
    }

    @Override
    public PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException {
        Objects.requireNonNull(content, "content");
        return put(key, PosixFiles.copyOf(content, Objects.requireNonNull(meta, "meta")));
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException {
        Objects.requireNonNull(content, "content");
        return put(key, PosixFiles.bytes(content, Objects.requireNonNull(meta, "meta")));
    }

    /**
     * Streams the writer's bytes straight into the temporary file through a reused direct buffer: memory stays at
     * one buffer per put in flight, whatever the object's size.
     */
    @Override
    public PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
        Objects.requireNonNull(writer, "writer");
        ByteBuffer buffer = buffers.take();
        try {
            return put(key, PosixFiles.streamed(writer, buffer));
        } finally {
            buffers.give(buffer);
        }
    }

    /** The one put sequence ({@link PosixPut}): every put differs only in how the temporary file is filled. */
    private PutResult put(String key, PosixFiles.ContentWriter writer) throws StorageException {
        Path link = resolve(key);
        try {
            requireRoot("put", key);
            return puts.put(key, link, writer);
        } catch (IOException e) {
            throw PosixErrors.map("put", key, root, e);
        }
    }

    @Override
    public Optional<ObjectMeta> head(String key) throws StorageException {
        Path link = resolve(key);
        try {
            return readLink("head", key, link).map(PosixLinkedObject::meta);
        } catch (IOException e) {
            throw PosixErrors.map("head", key, root, e);
        }
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        Path link = resolve(key);
        try {
            Optional<PosixLinkedObject> object = readLink("get", key, link);
            if (object.isEmpty()) {
                return Optional.empty();
            }
            FileChannel channel;
            try {
                // Open the target we read the metadata from, so the two always belong together.
                channel = FileChannel.open(link.resolveSibling(object.get().target()), StandardOpenOption.READ,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return readLink("get", key, link).isEmpty() ? Optional.empty() : get(key);
            }
            long size;
            try {
                size = channel.size();
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            return Optional.of(new StoredObject(object.get().meta(), size, new PosixInputStream(
                    Channels.newInputStream(channel), e -> PosixErrors.map("read", key, root, e))));
        } catch (IOException e) {
            throw PosixErrors.map("get", key, root, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws StorageException {
        Objects.requireNonNull(prefix, "prefix");
        try {
            requireRoot("list", prefix);
            return PosixTreeWalker.listKeys(root.toRealPath(), prefix);
        } catch (IOException e) {
            throw PosixErrors.map("list", prefix, root, e);
        }
    }

    /** Each key with its link's mtime, read by the same walk as {@link #list} (no extra system call per key). */
    @Override
    public List<ListedObject> listWithInfo(String prefix) throws StorageException {
        Objects.requireNonNull(prefix, "prefix");
        try {
            requireRoot("list", prefix);
            return PosixTreeWalker.listObjects(root.toRealPath(), prefix);
        } catch (IOException e) {
            throw PosixErrors.map("list", prefix, root, e);
        }
    }

    @Override
    public boolean delete(String key) throws StorageException {
        Path link = resolve(key);
        try {
            String target;
            try {
                target = Files.readSymbolicLink(link).toString();
            } catch (NoSuchFileException e) {
                requireRoot("delete", key);
                return false;
            } catch (NotLinkException e) {
                if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                throw PosixErrors.corrupt("delete", key, root, "a regular file");
            }
            // A broken link may go too: deleting is how an operator gets rid of it. Its target is removed only if
            // it is one of our data files, never an arbitrary file the link happens to point to.
            try {
                Files.delete(link);
            } catch (NoSuchFileException e) {
                return false;
            }
            PosixFiles.fsyncDirectory(link.getParent()); // the link must be gone before its data may go
            if (PosixNames.parse(link.getFileName().toString(), target).isPresent()) {
                Files.deleteIfExists(link.resolveSibling(target));
            }
            return true;
        } catch (IOException e) {
            throw PosixErrors.map("delete", key, root, e);
        }
    }

    /**
     * Removes hidden temporary and data files that no key links to and that were last modified more than
     * {@code olderThan} ago: debris of crashed or lost puts. Pick an age far longer than any put can take.
     *
     * @return how many files were removed (with {@code dryRun}: would be)
     */
    @Override
    public long cleanAbandonedUploads(Duration olderThan, boolean dryRun) throws StorageException {
        try {
            requireRoot("cleanup", "");
            return PosixTreeWalker.removeOrphans(root.toRealPath(), olderThan, dryRun);
        } catch (IOException e) {
            throw PosixErrors.map("cleanup", "", root, e);
        }
    }

    /**
     * Removes, anywhere in the repository, the temporary files of writers that have provably exited, and the unlinked
     * data files that are the same file as one of them: what a put killed mid-way (kill -9, the daemon's stop
     * deadline, an exit while other threads were putting) left. See {@link PosixLeftovers} for what "provably" means
     * and why nothing else is removed here.
     */
    @Override
    public long cleanLeftoversOfDeadWriters() throws StorageException {
        try {
            requireRoot("cleanup", "");
            return PosixLeftovers.removeOfDeadWriters(root.toRealPath());
        } catch (IOException e) {
            throw PosixErrors.map("cleanup", "", root, e);
        }
    }

    @Override
    public void close() {
        // No resources: every operation opens and closes its own files.
    }

    private Path resolve(String key) throws StorageException {
        // Safe without normalisation: a valid key has no "." or ".." component and no leading "/".
        return root.resolve(ObjectKey.validate(key));
    }

    private void requireRoot(String op, String key) throws StorageException {
        PosixLinks.requireRoot(root, op, key);
    }

    private Optional<PosixLinkedObject> readLink(String op, String key, Path link) throws IOException {
        return PosixLinks.read(root, op, key, link);
    }
}
