package dev.walstow.runtime;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyIds;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.SecretKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.EncryptionConfig;
import dev.walstow.error.DataError;
import dev.walstow.error.UnexpectedError;
import dev.walstow.error.WalstowException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPPublicKey;

/**
 * {@code walstow check}'s keys step: loads the configured keys as archive-push and restore would and puts a probe
 * through them: encrypted with the recipient (or the passphrase) and, when a secret key is configured, decrypted
 * again and compared. A configuration that loads is not yet one that works: a recipient file that is missing, not a
 * key, or a secret key shows only here, and a secret key that is not the recipient's pair only at the first restore.
 */
public final class KeyCheck {
    private static final byte[] PROBE = "walstow check: a probe put through the configured keys\n"
            .getBytes(StandardCharsets.UTF_8);

    private KeyCheck() {}

    /**
     * @return what was checked, for the {@code ok} line
     * @throws WalstowException the first cause, in the order recipient, encryption, secret key, decryption
     */
    public static String run(EncryptionConfig e) {
        if (!e.enabled()) {
            return "encryption is off ([encryption] enabled = false): objects are stored unencrypted";
        }
        Optional<char[]> passphrase = e.passphraseFile().map(Components::readPassphrase);
        try {
            if (e.recipient().isEmpty()) {
                Encryption.Symmetric symmetric = new Encryption.Symmetric(passphrase.orElseThrow());
                roundTrip(symmetric, "the [encryption] passphrase", "the passphrase");
                return "the [encryption] passphrase encrypts a probe and decrypts it again";
            }
            Path recipientFile = e.recipient().get();
            PGPPublicKey recipient = OpenPgpKeys.readRecipient(recipientFile);
            String recipientText = "recipient " + KeyIds.format(recipient.getKeyID()) + " (" + recipientFile + ")";
            Encryption.PublicKey encryptOnly = new Encryption.PublicKey(recipient, Optional.empty());
            if (e.secret().isEmpty()) {
                encode(encryptOnly, recipientText);
                return recipientText + " encrypts a probe; no secret key configured (right for the archiving host: "
                        + "restores and a decrypting verify need it elsewhere)";
            }
            SecretKeys secret = OpenPgpKeys.readSecret(e.secret().get(), passphrase);
            roundTrip(new Encryption.PublicKey(recipient, Optional.of(secret)), recipientText,
                    "the secret key " + e.secret().get());
            return recipientText + " encrypts a probe and the secret key " + e.secret().get() + " decrypts it";
        } finally {
            passphrase.ifPresent(p -> Arrays.fill(p, '\0'));
        }
    }

    private static byte[] encode(Encryption encryption, String encrypter) {
        try {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            codec(encryption).encode(new ByteArrayInputStream(PROBE), stored);
            return stored.toByteArray();
        } catch (IOException ex) {
            throw new UnexpectedError("encrypting a probe in memory with " + encrypter + " failed", ex);
        }
    }

    private static void roundTrip(Encryption encryption, String encrypter, String decrypter) {
        byte[] stored = encode(encryption, encrypter);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            codec(encryption).decode(new ByteArrayInputStream(stored), plain);
        } catch (DataError ex) {
            throw DataError.key(decrypter + " does not decrypt what " + encrypter + " encrypts: " + ex.getMessage(),
                    "configure the secret key of the recipient's pair (the same key ID) and its passphrase", ex);
        } catch (IOException ex) {
            throw new UnexpectedError("decrypting a probe in memory with " + decrypter + " failed", ex);
        }
        if (!Arrays.equals(plain.toByteArray(), PROBE)) {
            throw DataError.key(decrypter + " decrypts what " + encrypter + " encrypts into other bytes",
                    "report this as a walstow bug", null);
        }
    }

    private static WalCodec codec(Encryption encryption) {
        return new WalCodec(new CodecSettings(1, encryption));
    }
}
