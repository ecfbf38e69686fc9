/**
 * The repository: the {@link dev.walstow.storage.ObjectStore} contract and its backends.
 *
 * <ul>
 *   <li>{@link dev.walstow.storage.posix.PosixObjectStore}: a local or NFS directory, one relative symbolic link per key
 *       pointing at a hidden, content-addressed data file whose name carries the metadata.</li>
 *   <li>{@link dev.walstow.storage.InMemoryObjectStore}: for tests of other modules.</li>
 * </ul>
 *
 * <p>Every backend must pass {@code ObjectStoreContractTest}, published in this module's test-jar: extend it and
 * implement {@code newStore()}.
 */
package dev.walstow.storage;

import dev.walstow.storage.posix.PosixObjectStore;
