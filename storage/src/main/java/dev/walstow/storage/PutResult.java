package dev.walstow.storage;

/** Outcome of {@link ObjectStore#putIfAbsent}: the object was created, or the key was already taken. */
public sealed interface PutResult {

    /** The new object is durable under the key. */
    record Created() implements PutResult {}

    /** The key already held an object, which was left untouched; {@code existing} describes it. */
    record Exists(ObjectMeta existing) implements PutResult {}
}
