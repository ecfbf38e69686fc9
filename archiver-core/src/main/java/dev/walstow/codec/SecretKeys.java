package dev.walstow.codec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.openpgp.PGPPrivateKey;

/**
 * Unlocked decryption keys, by key ID. Unlocking happens once at load ({@link OpenPgpKeys#readSecret}) so that a
 * wrong passphrase shows at startup, not at the first restore, and so that decoding does not pay the S2K cost per
 * object.
 */
public final class SecretKeys {
    private final Map<Long, PGPPrivateKey> byKeyId;

    SecretKeys(Map<Long, PGPPrivateKey> byKeyId) {
        if (byKeyId.isEmpty()) {
            throw new IllegalArgumentException("no keys");
        }
        this.byKeyId = Collections.unmodifiableMap(new LinkedHashMap<>(byKeyId));
    }

    /** Key IDs of the encryption (sub)keys held, in file order. */
    public Set<Long> keyIds() {
        return byKeyId.keySet();
    }

    Optional<PGPPrivateKey> privateKey(long keyId) {
        return Optional.ofNullable(byKeyId.get(keyId));
    }

    Iterable<PGPPrivateKey> all() {
        return byKeyId.values();
    }

    @Override
    public String toString() {
        return "SecretKeys[" + KeyIds.format(byKeyId.keySet()) + "]";
    }
}
