package dev.walstow.codec;

import dev.walstow.error.DataError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;

/**
 * Opens an OpenPGP message down to its literal data, choosing the key from the configuration and classifying
 * why it cannot: a key problem ({@code DataError.key}) is not retried, damage ({@code DataError.integrity}) is.
 * Reads what gpg writes too (a compressed data packet, a marker packet), so objects made by hand with
 * {@code zstd | gpg --encrypt} restore.
 */
final class OpenPgpDecryptor {
    private static final String DAMAGED_HINT = "fetch it again; if it persists run walstow verify";

    private OpenPgpDecryptor() {}

    /** The literal data; call {@link #finish()} after reading it to the end to check the MDC and what follows. */
    record Opened(InputStream literal, PGPEncryptedData encrypted, BcPGPObjectFactory outer) {
        void finish() throws IOException, PGPException {
            if (!encrypted.verify()) {
                throw DataError.integrity("Stored object failed its OpenPGP integrity check (MDC).",
                        DAMAGED_HINT, null);
            }
            if (outer.nextObject() != null) {
                throw DataError.integrity("Stored object has unexpected data after its OpenPGP message.",
                        DAMAGED_HINT, null);
            }
        }
    }

    static Opened open(InputStream in, Encryption config) throws IOException, PGPException {
        BcPGPObjectFactory outer = new BcPGPObjectFactory(in);
        Object o = outer.nextObject();
        while (o instanceof PGPMarker) {
            o = outer.nextObject();
        }
        if (!(o instanceof PGPEncryptedDataList list)) {
            throw DataError.integrity("Stored object is neither a zstd frame nor an encrypted OpenPGP message.",
                    DAMAGED_HINT, null);
        }
        List<PGPPublicKeyEncryptedData> forKeys = new ArrayList<>();
        List<PGPPBEEncryptedData> forPassphrase = new ArrayList<>();
        for (PGPEncryptedData d : list) {
            if (d instanceof PGPPublicKeyEncryptedData pk) {
                forKeys.add(pk);
            } else if (d instanceof PGPPBEEncryptedData pbe) {
                forPassphrase.add(pbe);
            }
        }
        PGPEncryptedData chosen;
        PGPSessionKey sessionKey;
        Optional<Unlocked> byKey = config instanceof Encryption.PublicKey pk && pk.secret().isPresent()
                ? unlockWithKey(forKeys, pk.secret().get()) : Optional.empty();
        if (byKey.isPresent()) {
            chosen = byKey.get().data();
            sessionKey = byKey.get().sessionKey();
        } else if (config instanceof Encryption.Symmetric s && !forPassphrase.isEmpty()) {
            chosen = forPassphrase.getFirst();
            try {
                sessionKey = forPassphrase.getFirst().getSessionKey(
                        new BcPBEDataDecryptorFactory(s.passphrase(), new BcPGPDigestCalculatorProvider()));
            } catch (PGPException e) {
                throw wrongPassphrase(e);
            }
        } else {
            throw noUsableKey(config, forKeys, forPassphrase);
        }
        if (!chosen.isIntegrityProtected()) {
            throw DataError.integrity("Stored object is encrypted without integrity protection (no MDC).",
                    "walstow never writes such objects; check where this one came from", null);
        }
        InputStream clear;
        try {
            clear = chosen instanceof PGPPublicKeyEncryptedData pk
                    ? pk.getDataStream(DataCiphers.decryptor(sessionKey))
                    : ((PGPPBEEncryptedData) chosen).getDataStream(DataCiphers.decryptor(sessionKey));
        } catch (PGPException e) {
            // The "quick check" bytes after the prefix did not match. With a passphrase this is how a wrong one
            // shows (no session key checksum exists); with a public key the session key was already verified.
            if (chosen instanceof PGPPBEEncryptedData) {
                throw wrongPassphrase(e);
            }
            throw DataError.integrity("Stored object failed its OpenPGP check after decrypting the session key.",
                    DAMAGED_HINT, e);
        }
        return new Opened(literalOf(new BcPGPObjectFactory(clear)).getInputStream(), chosen, outer);
    }

    /**
     * Reads an encrypted OpenPGP message to its end without a key: the session key packets, the integrity-protected
     * data packet's body to its announced end, and nothing after it. What the archiving host, which has no secret key,
     * can check of an object.
     */
    static void walkSealed(InputStream in) throws IOException, PGPException {
        BcPGPObjectFactory outer = new BcPGPObjectFactory(in);
        Object o = outer.nextObject();
        while (o instanceof PGPMarker) {
            o = outer.nextObject();
        }
        if (!(o instanceof PGPEncryptedDataList list) || list.isEmpty()) {
            throw DataError.integrity("Stored object is neither a zstd frame nor an encrypted OpenPGP message.",
                    DAMAGED_HINT, null);
        }
        if (!list.isIntegrityProtected()) {
            throw DataError.integrity("Stored object is encrypted without integrity protection (no MDC).",
                    "walstow never writes such objects; check where this one came from", null);
        }
        // A body shorter than its packet lengths announce ends in an EOFException ("premature end of stream").
        list.getEncryptedData().getInputStream().transferTo(OutputStream.nullOutputStream());
        if (outer.nextObject() != null) {
            throw DataError.integrity("Stored object has unexpected data after its OpenPGP message.", DAMAGED_HINT,
                    null);
        }
    }

    private record Unlocked(PGPEncryptedData data, PGPSessionKey sessionKey) {}

    private static Optional<Unlocked> unlockWithKey(List<PGPPublicKeyEncryptedData> forKeys, SecretKeys secret)
            throws PGPException {
        for (PGPPublicKeyEncryptedData d : forKeys) {
            // Key ID 0 is a hidden recipient (gpg -R / --throw-keyids): try every key we hold.
            Iterable<PGPPrivateKey> candidates = d.getKeyID() == 0
                    ? secret.all() : secret.privateKey(d.getKeyID()).map(List::of).orElse(List.of());
            for (PGPPrivateKey key : candidates) {
                try {
                    return Optional.of(new Unlocked(d, d.getSessionKey(new BcPublicKeyDataDecryptorFactory(key))));
                } catch (PGPException e) {
                    if (d.getKeyID() != 0) {
                        throw DataError.integrity("Stored object's encrypted session key for "
                                + KeyIds.format(d.getKeyID()) + " does not decrypt.", DAMAGED_HINT, e);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static PGPLiteralData literalOf(BcPGPObjectFactory factory) throws IOException, PGPException {
        Object o = factory.nextObject();
        if (o instanceof PGPCompressedData compressed) {
            factory = new BcPGPObjectFactory(compressed.getDataStream());
            o = factory.nextObject();
        }
        while (o instanceof PGPOnePassSignatureList) {
            o = factory.nextObject();
        }
        if (o instanceof PGPLiteralData literal) {
            return literal;
        }
        throw DataError.integrity("Stored object's OpenPGP message holds no literal data.", DAMAGED_HINT, null);
    }

    private static DataError wrongPassphrase(Exception cause) {
        return DataError.key("The configured [encryption] passphrase does not decrypt the stored object.",
                "check the passphrase; if it is right, the object is damaged: run walstow verify", cause);
    }

    private static DataError noUsableKey(Encryption config, List<PGPPublicKeyEncryptedData> forKeys,
                                         List<PGPPBEEncryptedData> forPassphrase) {
        Set<Long> ids = new LinkedHashSet<>();
        forKeys.forEach(d -> ids.add(d.getKeyID()));
        String objectIs = forKeys.isEmpty() ? "encrypted with a passphrase"
                : "encrypted for key ID " + KeyIds.format(ids)
                        + (forPassphrase.isEmpty() ? "" : " and with a passphrase");
        return switch (config) {
            case Encryption.PublicKey pk when pk.secret().isPresent() && !forKeys.isEmpty() -> DataError.key(
                    "Object is " + objectIs + ", but the configured [encryption] secret key has key ID "
                            + KeyIds.format(pk.secret().get().keyIds()) + ".",
                    "configure the secret key the object was encrypted to"
                            + " (gpg --list-secret-keys --keyid-format 0xlong shows key IDs)", null);
            case Encryption.Symmetric s -> DataError.key("Object is " + objectIs
                    + "; only an [encryption] passphrase is configured.",
                    "configure the secret key of " + KeyIds.format(ids) + " in [encryption]", null);
            default -> forKeys.isEmpty()
                    ? DataError.key("Object is encrypted with a passphrase; no [encryption] passphrase configured.",
                            "configure the passphrase the object was written with in [encryption]", null)
                    : DataError.key("Object is " + objectIs + "; no [encryption] secret configured.",
                            "configure the secret key of " + KeyIds.format(ids)
                                    + " in [encryption] on the host that restores", null);
        };
    }
}
