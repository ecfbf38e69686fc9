package dev.walstow.storage;

import dev.walstow.agent.Failures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A repository backend: a flat namespace of immutable objects addressed by {@link ObjectKey}-valid keys, each with
 * small {@link ObjectMeta}. Implementations: posix (a local or NFS directory), in-memory (tests), S3.
 *
 * <p>Contract shared by every backend and checked by {@code ObjectStoreContractTest}:
 * <ul>
 *   <li>Objects are create-only: nothing in this interface replaces the content of an existing key.</li>
 *   <li>A key either has a whole object with its metadata, or nothing. A crash at any point during
 *       {@code putIfAbsent} leaves one of the two, never a partial object visible under the key.</li>
 *   <li>"Not there" is {@link Optional#empty()}; every other failure is a {@link StorageException}. Callers rely on
 *       this to decide between "not archived" and "could not tell" (archive-get exit 1 versus abort).</li>
 *   <li>Keys are validated with {@link ObjectKey#validate(String)}; an invalid key is a
 *       {@link StorageException.Kind#INVALID_KEY}, never a path outside the repository.</li>
 *   <li>Implementations are safe for concurrent use by several threads.</li>
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

    /** Human-readable location for messages, e.g. {@code posix:/var/lib/walstow/repo}. Never contains secrets. */
    String location();

    /**
     * Stores {@code content} under {@code key} unless an object already exists there.
     *
     * @return {@link PutResult.Created} only once the object and its metadata are durable (fsync'd, or acknowledged
     *     by the store); {@link PutResult.Exists} with the existing object's metadata if the key was taken (the
     *     existing object is left untouched, whatever its content)
     * @throws StorageException if durability cannot be confirmed; the key then holds either nothing or a whole
     *     object (a later {@link #head} tells which)
     */
    PutResult putIfAbsent(String key, Path content, ObjectMeta meta) throws StorageException;

    /** As {@link #putIfAbsent(String, Path, ObjectMeta)}, from memory. */
    PutResult putIfAbsent(String key, byte[] content, ObjectMeta meta) throws StorageException;

    /**
     * As {@link #putIfAbsent(String, Path, ObjectMeta)}, with the content and its metadata produced by
     * {@code writer} while it is stored, for content that should not be held whole in memory (an encoded WAL
     * segment: up to 1 GiB). A key already taken when the call starts is answered {@link PutResult.Exists} without
     * calling the writer, so a duplicate push writes nothing; otherwise the writer is called once (never twice in
     * one call; not at all if the store fails first). If the writer throws, nothing becomes visible under the key
     * and nothing is left behind: an unchecked exception reaches the caller unchanged, an {@link IOException}
     * becomes a {@link StorageException} (see {@link ObjectWriter#writeTo}).
     *
     * <p>Added after the first backends: the default buffers the whole object in memory and stores it with
     * {@link #putIfAbsent(String, byte[], ObjectMeta)}, after a {@link #head} (so a taken key costs no writing).
     * A backend that can stream overrides it (posix writes straight into its temporary file).
     */
    default PutResult putIfAbsent(String key, ObjectWriter writer) throws StorageException {
        Objects.requireNonNull(writer, "writer");
        Optional<ObjectMeta> existing = head(key);
        if (existing.isPresent()) {
            return new PutResult.Exists(existing.get());
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 << 10);
        ObjectMeta meta;
        try {
            meta = writer.writeTo(buffer);
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "put " + key + " in " + location()
                    + ": writing the object failed: " + Failures.describe(e), e);
        }
        return putIfAbsent(key, buffer.toByteArray(), Objects.requireNonNull(meta, "writer's metadata"));
    }

    /**
     * @return the metadata of the object under {@code key}, or empty if there is positively no object there
     * @throws StorageException if the store could not answer
     */
    Optional<ObjectMeta> head(String key) throws StorageException;

    /**
     * Opens the object under {@code key} for reading. The caller closes the returned object.
     *
     * @return the object, or empty if there is positively no object there
     * @throws StorageException if the store could not answer; also for errors while streaming (wrapped as the
     *     stream's {@link java.io.IOException})
     */
    Optional<StoredObject> get(String key) throws StorageException;

    /**
     * Lists keys starting with {@code prefix} (an empty prefix lists everything), sorted ascending. Only for
     * maintenance commands: archive-get and archive-push never list.
     */
    List<String> list(String prefix) throws StorageException;

    /**
     * As {@link #list}, with each key's {@link ListedObject#lastModified} where the backend knows it from the listing
     * itself (no extra request per key). Same keys, same order as {@link #list}; for maintenance commands only.
     *
     * <p>Added after the first backends: the default returns every key without a time, so a backend that cannot
     * tell (or has not been taught yet) stays correct; callers must treat "no time" as "unknown", never as "old".
     * A backend that overrides it reports the time the object became visible under its key (posix: the link's
     * mtime; S3: {@code Last-Modified}), by the store's clock: callers allow for clock skew.
     */
    default List<ListedObject> listWithInfo(String prefix) throws StorageException {
        return list(prefix).stream().map(ListedObject::withoutTime).toList();
    }

    /**
     * Removes what interrupted puts left in the store: invisible to {@link #list} and {@link #get}, but taking space
     * (S3: multipart uploads never completed nor aborted; posix: hidden temporary and data files no key links to).
     * Only leftovers whose put started more than {@code olderThan} ago are removed, never an object under a key; a
     * put still running is younger than any sensible {@code olderThan} (pick one far above the longest put). For
     * maintenance commands only ({@code walstow expire}).
     *
     * <p>Added after the first backends: the default, for a backend whose puts leave nothing behind (in-memory),
     * finds nothing.
     *
     * @param dryRun count what would be removed, remove nothing
     * @return how many leftovers were removed (with {@code dryRun}: would be)
     */
    default long cleanAbandonedUploads(Duration olderThan, boolean dryRun) throws StorageException {
        return 0;
    }

    /**
     * Removes what puts of writers that have <em>provably exited</em> left in the store, whatever its age, and
     * nothing else: never an object under a key, never anything a live writer (in this process, another process,
     * another host) may still use. For the daemon at start, when such writers may be running and no age is safe
     * (an NFS put can stall for any length of time); what cannot be proven dead stays for
     * {@link #cleanAbandonedUploads}. Safe to call at any time, also while puts run.
     *
     * <p>Added after the first backends: the default, for a backend that cannot tell its writers apart (S3: a
     * multipart upload does not say who started it) or whose puts leave nothing behind (in-memory), finds nothing.
     * Posix: temporary files whose writer ran in this boot and pid namespace and has exited, and unlinked data files
     * of puts killed before their link.
     *
     * @return how many leftovers were removed
     */
    default long cleanLeftoversOfDeadWriters() throws StorageException {
        return 0;
    }

    /**
     * Deletes the object under {@code key} with its metadata.
     *
     * @return true if an object was deleted, false if there was none
     */
    boolean delete(String key) throws StorageException;

    /** Releases resources (connections, thread pools). Idempotent. */
    @Override
    void close();
}
