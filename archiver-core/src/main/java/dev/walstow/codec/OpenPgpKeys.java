package dev.walstow.codec;

import dev.walstow.agent.Failures;
import dev.walstow.error.DataError;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PBESecretKeyDecryptor;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Loads OpenPGP key files (ASCII-armored or binary), as exported by {@code gpg --export} /
 * {@code gpg --export-secret-keys} or written by {@link KeyGenerator}.
 *
 * <p>Self-signatures are not verified cryptographically: the key file is configuration the administrator chose,
 * like the repository path. Key flags, expiry and revocation are read from them so that walstow picks the same
 * encryption subkey gpg would and refuses keys gpg would refuse.
 */
public final class OpenPgpKeys {
    private static final int ENCRYPT_FLAGS = KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE;

    private OpenPgpKeys() {}

    /** The newest valid encryption-capable (sub)key of the single certificate in {@code publicKeyFile}. */
    public static PGPPublicKey readRecipient(Path publicKeyFile) {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        for (Object o : parse(publicKeyFile, "public")) {
            if (o instanceof PGPSecretKeyRing) {
                throw UserError.config("Key file " + publicKeyFile + " holds a secret key where the public key"
                        + " (recipient) is expected.", "export the public key with gpg --export --armor KEYID;"
                        + " keep the secret key off the archiving host");
            }
            rings.add((PGPPublicKeyRing) o);
        }
        if (rings.size() != 1) {
            throw UserError.config("Key file " + publicKeyFile + " holds " + rings.size()
                    + " certificates; exactly one recipient is supported.", "export only the archive key:"
                    + " gpg --export --armor KEYID");
        }
        return encryptionKey(rings.getFirst(), publicKeyFile);
    }

    /**
     * Unlocks every encryption-capable secret (sub)key in {@code secretKeyFile}. Expired or revoked keys are kept on
     * purpose: objects archived before the expiry must stay restorable.
     */
    public static SecretKeys readSecret(Path secretKeyFile, Optional<char[]> passphrase) {
        Map<Long, PGPPrivateKey> keys = new LinkedHashMap<>();
        List<Object> objects = parse(secretKeyFile, "secret");
        if (objects.stream().anyMatch(PGPSecretKeyRing.class::isInstance)) {
            // After parsing, so that a file that is no secret key at all is named for what it is.
            KeyFilePermissions.requirePrivate(secretKeyFile, "secret key file");
        }
        for (Object o : objects) {
            if (!(o instanceof PGPSecretKeyRing ring)) {
                throw UserError.config("Key file " + secretKeyFile + " holds a public key where the secret key is"
                        + " expected.", "export the secret key with gpg --export-secret-keys --armor KEYID");
            }
            for (PGPSecretKey sk : ring) {
                if (sk.isPrivateKeyEmpty() || !canEncrypt(sk.getPublicKey())) {
                    continue;
                }
                keys.put(sk.getKeyID(), unlock(sk, passphrase, secretKeyFile));
            }
        }
        if (keys.isEmpty()) {
            throw UserError.config("Key file " + secretKeyFile + " holds no usable encryption secret key.",
                    "export the key with its encryption subkey: gpg --export-secret-keys --armor KEYID"
                            + " (not --export-secret-subkeys of a signing subkey only)");
        }
        return new SecretKeys(keys);
    }

    private static PGPPrivateKey unlock(PGPSecretKey sk, Optional<char[]> passphrase, Path file) {
        String id = KeyIds.format(sk.getKeyID());
        PBESecretKeyDecryptor decryptor = null;
        if (sk.getKeyEncryptionAlgorithm() != SymmetricKeyAlgorithmTags.NULL) {
            if (passphrase.isEmpty()) {
                throw DataError.key("Secret key " + id + " in " + file + " is protected by a passphrase and no"
                        + " passphrase is configured.", "configure the key's passphrase in [encryption]", null);
            }
            decryptor = new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(passphrase.get());
        }
        try {
            return sk.extractPrivateKey(decryptor);
        } catch (PGPException e) {
            // BC's message is about checksums and algorithms, never key bytes; keep it as the cause only.
            throw DataError.key("The configured passphrase does not unlock secret key " + id + " in " + file + ".",
                    "check the [encryption] passphrase (gpg asks for the same one)", e);
        }
    }

    private static List<Object> parse(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LocalIoError("Cannot read " + what + " key file " + file + ": " + Failures.describe(e) + ".",
                    "check the path in [encryption] and that the walstow user may read it", e);
        }
        List<Object> objects = new ArrayList<>();
        try {
            for (byte[] block : armorBlocks(bytes)) {
                try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(block))) {
                    BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
                    for (Object o; (o = factory.nextObject()) != null; ) {
                        if (!(o instanceof PGPPublicKeyRing) && !(o instanceof PGPSecretKeyRing)) {
                            throw new IOException("it holds OpenPGP data other than key rings");
                        }
                        objects.add(o);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new UserError(dev.walstow.agent.ErrorCode.CONFIG, "Key file " + file + " is not a valid OpenPGP "
                    + what + " key (" + Failures.describe(e) + ").", "give a key exported with gpg --export"
                    + ("secret".equals(what) ? "-secret-keys" : "") + " (armored or binary)", e);
        }
        if (objects.isEmpty()) {
            throw UserError.config("Key file " + file + " holds no OpenPGP key.",
                    "give a key exported with gpg --export" + ("secret".equals(what) ? "-secret-keys" : ""));
        }
        return objects;
    }

    /**
     * Splits {@code cat a.asc b.asc} into its armored blocks. The armor decoder stops at the first END line, so
     * without this a key rotation file made that way would silently hold only the old key, and objects for the new
     * one would fail to restore. Binary input is one block: its packets simply follow each other.
     */
    private static List<byte[]> armorBlocks(byte[] bytes) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        String begin = "-----BEGIN PGP ";
        List<byte[]> blocks = new ArrayList<>();
        int start = text.indexOf(begin);
        if (start < 0 || text.indexOf(begin, start + 1) < 0) {
            blocks.add(bytes);
            return blocks;
        }
        while (start >= 0) {
            int next = text.indexOf(begin, start + 1);
            int end = next < 0 ? bytes.length : next;
            blocks.add(java.util.Arrays.copyOfRange(bytes, start, end));
            start = next;
        }
        return blocks;
    }

    private static PGPPublicKey encryptionKey(PGPPublicKeyRing ring, Path file) {
        PGPPublicKey primary = ring.getPublicKey();
        String primaryId = KeyIds.format(primary.getKeyID());
        if (primary.hasRevocation()) {
            throw UserError.config("Key " + primaryId + " in " + file + " is revoked.",
                    "generate a new archive key (walstow keygen) and configure its public key");
        }
        if (expired(primary)) {
            throw UserError.config("Key " + primaryId + " in " + file + " expired on " + expiry(primary) + ".",
                    "extend it (gpg --quick-set-expire FPR 2y; gpg --quick-set-expire FPR 2y '*') and export again");
        }
        List<PGPPublicKey> capable = new ArrayList<>();
        for (PGPPublicKey k : ring) {
            if (canEncrypt(k)) {
                capable.add(k);
            }
        }
        if (capable.isEmpty()) {
            throw UserError.config("Key " + primaryId + " in " + file + " has no encryption-capable (sub)key.",
                    "add one (gpg --quick-add-key FPR cv25519 encr) or use walstow keygen");
        }
        return capable.stream()
                .filter(k -> !k.hasRevocation() && !expired(k))
                .max(Comparator.comparing(PGPPublicKey::getCreationTime))
                .orElseThrow(() -> UserError.config("Every encryption subkey of key " + primaryId + " in " + file
                        + " is expired or revoked.", "extend or add an encryption subkey with gpg and export again"));
    }

    /** Algorithm can encrypt and, when the newest self-signature carries key flags, they allow encryption. */
    static boolean canEncrypt(PGPPublicKey key) {
        if (!key.isEncryptionKey()) {
            return false;
        }
        PGPSignature newest = null;
        for (Iterator<PGPSignature> it = key.getSignatures(); it.hasNext(); ) {
            PGPSignature sig = it.next();
            if (isSelfSignatureType(sig.getSignatureType()) && sig.getHashedSubPackets() != null
                    && sig.getHashedSubPackets().hasSubpacket(org.bouncycastle.bcpg.SignatureSubpacketTags.KEY_FLAGS)
                    && (newest == null || sig.getCreationTime().after(newest.getCreationTime()))) {
                newest = sig;
            }
        }
        return newest == null || (newest.getHashedSubPackets().getKeyFlags() & ENCRYPT_FLAGS) != 0;
    }

    private static boolean isSelfSignatureType(int type) {
        return switch (type) {
            case PGPSignature.SUBKEY_BINDING, PGPSignature.DIRECT_KEY, PGPSignature.DEFAULT_CERTIFICATION,
                 PGPSignature.NO_CERTIFICATION, PGPSignature.CASUAL_CERTIFICATION,
                 PGPSignature.POSITIVE_CERTIFICATION -> true;
            default -> false;
        };
    }

    private static boolean expired(PGPPublicKey key) {
        return key.getValidSeconds() > 0 && expiry(key).isBefore(Instant.now());
    }

    private static Instant expiry(PGPPublicKey key) {
        return key.getCreationTime().toInstant().plusSeconds(key.getValidSeconds());
    }
}
