package dev.walstow.repo;

import dev.walstow.storage.Sha256;

/**
 * Which repository a piece of spool state describes: 16 hex digits of SHA-256 over the repository's location and its
 * binding. The location alone would not do: a repository re-initialised at the same path, or a cloned VM's own
 * repository mounted where the original was, is another repository with other objects. The binding alone would not
 * do either: two repositories bound to the same cluster (a clone, a copy made for a move) differ in location. The
 * binding's creation time is part of it, so two {@code walstow init}s of one cluster never share an identity.
 */
public final class RepositoryIdentity {
    private RepositoryIdentity() {}

    public static String of(String location, RepositoryBinding binding) {
        String text = location + "\n" + binding.systemIdentifier() + "\n" + binding.pgMajor() + "\n"
                + binding.walSegmentSize() + "\n" + binding.createdAt() + "\n" + binding.format();
        return Sha256.hex(text, 8);
    }
}
