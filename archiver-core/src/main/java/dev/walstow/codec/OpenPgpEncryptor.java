package dev.walstow.codec;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * Opens the OpenPGP layers around the zstd frame: encrypted data (SEIPD v1 + MDC, AES-256) containing a binary
 * literal data packet. No compressed data packet: zstd already compressed, which is what {@code gpg -z 0} writes.
 * Both packets use partial body lengths, so nothing is buffered beyond one chunk.
 *
 * <p>SEIPD v1 rather than v2/AEAD: gpg 2.2 (Debian 12) cannot read v2, and disaster recovery must work with the
 * gpg at hand.
 */
final class OpenPgpEncryptor {
    /**
     * S2K iteration count byte for passphrase mode: 0xC0 hashes 4 MiB per object, a few milliseconds with SHA-NI.
     * Every object has its own salt, so the cost is paid per object; a passphrase should be long and random.
     */
    static final int S2K_COUNT = 0xC0;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenPgpEncryptor() {}

    /** The returned stream finishes both packets on close, but does not close {@code stored}. */
    static OutputStream open(OutputStream stored, Encryption encryption, int bufferSize)
            throws IOException, PGPException {
        PGPEncryptedDataGenerator generator = new PGPEncryptedDataGenerator(
                DataCiphers.encryptor(SymmetricKeyAlgorithmTags.AES_256, RANDOM));
        switch (encryption) {
            case Encryption.PublicKey pk -> generator.addMethod(
                    new BcPublicKeyKeyEncryptionMethodGenerator(pk.recipient()).setSecureRandom(RANDOM));
            case Encryption.Symmetric s -> generator.addMethod(new BcPBEKeyEncryptionMethodGenerator(s.passphrase(),
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), S2K_COUNT)
                    .setSecureRandom(RANDOM));
            case Encryption.None n -> throw new IllegalArgumentException("no encryption configured");
        }
        OutputStream encrypted = generator.open(stored, new byte[bufferSize]);
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        // Empty file name and epoch time: nothing about the host or the moment leaks into the object.
        OutputStream data = literal.open(encrypted, PGPLiteralData.BINARY, "", PGPLiteralData.NOW,
                new byte[bufferSize]);
        return new FilterOutputStream(data) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                literal.close();
                generator.close();
            }
        };
    }
}
