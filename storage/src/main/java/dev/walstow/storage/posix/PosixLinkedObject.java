package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectMeta;

/** What the symbolic link of a key in a {@link PosixObjectStore} says: its data file name and the metadata in it. */
record PosixLinkedObject(String target, ObjectMeta meta) {}
