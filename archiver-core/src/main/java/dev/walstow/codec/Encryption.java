package dev.walstow.codec;

import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPPublicKey;

/** How objects are protected at rest. Decoding detects the format per object, whatever is configured here. */
public sealed interface Encryption permits Encryption.None, Encryption.PublicKey, Encryption.Symmetric {

    /** Plain zstd frames. */
    record None() implements Encryption {}

    /**
     * Encrypt to recipient; decrypt with secret (optional: the archiving host has only the public key).
     *
     * @param recipient the encryption-capable (sub)key, as returned by {@link OpenPgpKeys#readRecipient}
     */
    record PublicKey(PGPPublicKey recipient, Optional<SecretKeys> secret) implements Encryption {
        public PublicKey {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(secret, "secret");
        }

        /** The same recipient without the secret: what the archiving host has. */
        public PublicKey withoutSecret() {
            return new PublicKey(recipient, Optional.empty());
        }

        @Override
        public String toString() {
            return "PublicKey[recipient=" + KeyIds.format(recipient.getKeyID()) + ", secret="
                    + secret.map(SecretKeys::toString).orElse("none") + "]";
        }
    }

    /** Passphrase-based (OpenPGP SKESK, iterated+salted S2K). The array is not copied: the owner may wipe it. */
    record Symmetric(char[] passphrase) implements Encryption {
        public Symmetric {
            Objects.requireNonNull(passphrase, "passphrase");
            if (passphrase.length == 0) {
                throw new IllegalArgumentException("empty passphrase");
            }
        }

        // The generated toString would print the array identity only, but be explicit: never show a passphrase.
        @Override
        public String toString() {
            return "Symmetric[passphrase=***]";
        }
    }
}
