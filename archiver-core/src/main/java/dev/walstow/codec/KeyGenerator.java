package dev.walstow.codec;

import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import dev.walstow.runtime.LocalFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PBESecretKeyEncryptor;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * {@code walstow keygen}: an OpenPGP v4 key gpg 2.2 reads, with an Ed25519 primary key (certify, sign) and an X25519
 * (cv25519 ECDH) encryption subkey, like {@code gpg --quick-gen-key UID future-default}. v4 and the "legacy" curve
 * encodings rather than RFC 9580 v6 keys, because gpg 2.2 knows only those. No expiry: an expired archive key
 * would stop archiving, and the secret key stays usable for restores anyway.
 */
public final class KeyGenerator {
    /** S2K count protecting the secret key file: about 32 MiB of SHA-256, paid once when walstow loads it. */
    private static final int SECRET_S2K_COUNT = 0xF0;

    private KeyGenerator() {}

    /**
     * What {@code keygen} made, named the way gpg and walstow's errors name keys: the primary (certification) key and
     * the encryption subkey, each by key ID ({@code 0x} and 16 hex digits) and full fingerprint (40 hex digits).
     * Objects are encrypted for the subkey, so errors about an object name the subkey's ID.
     */
    public record GeneratedKey(String primaryKeyId, String primaryFingerprint, String encryptionKeyId,
            String encryptionFingerprint) {
        static GeneratedKey of(PGPPublicKey primary, PGPPublicKey encryption) {
            return new GeneratedKey(KeyIds.format(primary.getKeyID()), KeyIds.fingerprint(primary.getFingerprint()),
                    KeyIds.format(encryption.getKeyID()), KeyIds.fingerprint(encryption.getFingerprint()));
        }
    }

    /** Writes armored files; the secret one with mode 0600. Neither file may exist. */
    public static GeneratedKey generate(String userId, Optional<char[]> passphrase, Path publicKeyOut,
            Path secretKeyOut) {
        if (userId == null || userId.isBlank()) {
            throw UserError.usage("The user ID of the key is empty.", "give e.g. 'walstow archive <dba@example.org>'");
        }
        for (Path p : new Path[] {publicKeyOut, secretKeyOut}) {
            if (Files.exists(p)) {
                throw UserError.usage("Key file " + p + " already exists; walstow keygen never overwrites a key.",
                        "choose another path or move the old file away after checking nothing needs it");
            }
        }
        PGPKeyRingGenerator generator = ringGenerator(userId, passphrase);
        try {
            write(secretKeyOut, true, generator.generateSecretKeyRing()::encode);
        } catch (IOException e) {
            throw writeFailed(secretKeyOut, e);
        }
        PGPPublicKeyRing publicRing = generator.generatePublicKeyRing();
        try {
            write(publicKeyOut, false, publicRing::encode);
        } catch (IOException e) {
            LocalFiles.deleteQuietly(secretKeyOut); // so that a retry does not trip over half the pair
            throw writeFailed(publicKeyOut, e);
        }
        List<PGPPublicKey> keys = new ArrayList<>();
        publicRing.getPublicKeys().forEachRemaining(keys::add);
        return GeneratedKey.of(keys.getFirst(), keys.getLast());
    }

    static PGPKeyRingGenerator ringGenerator(String userId, Optional<char[]> passphrase) {
        SecureRandom random = new SecureRandom();
        Date now = new Date();
        try {
            Ed25519KeyPairGenerator ed = new Ed25519KeyPairGenerator();
            ed.init(new Ed25519KeyGenerationParameters(random));
            PGPKeyPair primary = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, ed.generateKeyPair(), now);
            X25519KeyPairGenerator x = new X25519KeyPairGenerator();
            x.init(new X25519KeyGenerationParameters(random));
            PGPKeyPair encryption = new BcPGPKeyPair(PublicKeyAlgorithmTags.ECDH, x.generateKeyPair(), now);

            PGPSignatureSubpacketGenerator primaryAttrs = new PGPSignatureSubpacketGenerator();
            primaryAttrs.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            primaryAttrs.setPreferredSymmetricAlgorithms(false,
                    new int[] {SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.AES_128});
            primaryAttrs.setPreferredHashAlgorithms(false,
                    new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
            // Objects are zstd already: ask senders not to compress again.
            primaryAttrs.setPreferredCompressionAlgorithms(false, new int[] {CompressionAlgorithmTags.UNCOMPRESSED});
            primaryAttrs.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
            PGPSignatureSubpacketGenerator subAttrs = new PGPSignatureSubpacketGenerator();
            subAttrs.setKeyFlags(true, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);

            PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
            PBESecretKeyEncryptor protector = passphrase.isEmpty() ? null
                    : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
                            new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), SECRET_S2K_COUNT)
                            .setSecureRandom(random).build(passphrase.get());
            PGPKeyRingGenerator generator = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary,
                    userId, sha1, primaryAttrs.generate(), null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512),
                    protector);
            generator.addSubKey(encryption, subAttrs.generate(), null);
            return generator;
        } catch (PGPException e) {
            throw new IllegalStateException("generating an Ed25519/X25519 key failed", e);
        }
    }

    private interface Encoder {
        void encode(OutputStream out) throws IOException;
    }

    private static void write(Path path, boolean secret, Encoder encoder) throws IOException {
        if (secret) {
            // Created 0600 from the start: never readable by others, not even for a moment.
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (OutputStream file = Files.newOutputStream(path,
                secret ? StandardOpenOption.WRITE : StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(file)) {
            encoder.encode(armor);
        }
    }

    private static RuntimeException writeFailed(Path path, IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return UserError.usage("Key file " + path + " already exists; walstow keygen never overwrites a key.",
                    "choose another path");
        }
        return new LocalIoError("Cannot write key file " + path + ": " + Failures.describe(e) + ".",
                "check that the directory exists and is writable", e);
    }

}
