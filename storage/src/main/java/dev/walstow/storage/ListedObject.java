package dev.walstow.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One key of a {@link ObjectStore#listWithInfo} listing, with what the store knows about it without reading it.
 *
 * @param key the object's key
 * @param lastModified when the object was stored, if the backend can tell cheaply: the link's mtime for posix,
 *     {@code Last-Modified} for S3; empty for a backend that cannot. It is the store's clock, not PostgreSQL's,
 *     and is only ever used for "how old is this" questions (info, expire's safety age), never for ordering WAL.
 */
public record ListedObject(String key, Optional<Instant> lastModified) {
    public ListedObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    public static ListedObject withoutTime(String key) {
        return new ListedObject(key, Optional.empty());
    }
}
