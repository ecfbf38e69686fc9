package dev.walstow.codec;

import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.function.UnaryOperator;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.bcpg.AEADEncDataPacket;
import org.bouncycastle.bcpg.SymmetricEncIntegrityPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.operator.PGPDataDecryptor;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.SessionKeyDataDecryptorFactory;

/**
 * Bouncy Castle's JCE decryptor factory, except that AES data with an MDC (SEIPD v1: what walstow and gpg 2.2 write)
 * is decrypted by {@link CfbDecryptingInputStream}. Everything else (other ciphers, the old packet without MDC and
 * its resync, AEAD) goes to Bouncy Castle unchanged.
 */
final class EcbCfbDecryptorFactory implements SessionKeyDataDecryptorFactory {
    private final SessionKeyDataDecryptorFactory delegate;

    EcbCfbDecryptorFactory(SessionKeyDataDecryptorFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public PGPSessionKey getSessionKey() {
        return delegate.getSessionKey();
    }

    @Override
    public PGPDataDecryptor createDataDecryptor(boolean withIntegrityPacket, int algorithm, byte[] key)
            throws PGPException {
        PGPDataDecryptor standard = delegate.createDataDecryptor(withIntegrityPacket, algorithm, key);
        if (!withIntegrityPacket || !isAes(algorithm)) {
            return standard;
        }
        Cipher ecb;
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            return standard; // a JDK without it: Bouncy Castle's path is correct, only slower
        }
        return new Restreamed(standard, in -> new CfbDecryptingInputStream(in, ecb));
    }

    /** {@code base} with its decrypting stream replaced: block size and MDC calculator stay Bouncy Castle's. */
    record Restreamed(PGPDataDecryptor base, UnaryOperator<InputStream> stream) implements PGPDataDecryptor {
        @Override
        public InputStream getInputStream(InputStream in) {
            return stream.apply(in);
        }

        @Override
        public int getBlockSize() {
            return base.getBlockSize();
        }

        @Override
        public PGPDigestCalculator getIntegrityCalculator() {
            return base.getIntegrityCalculator();
        }
    }

    @Override
    public PGPDataDecryptor createDataDecryptor(AEADEncDataPacket packet, PGPSessionKey sessionKey)
            throws PGPException {
        return delegate.createDataDecryptor(packet, sessionKey);
    }

    @Override
    public PGPDataDecryptor createDataDecryptor(SymmetricEncIntegrityPacket packet, PGPSessionKey sessionKey)
            throws PGPException {
        return delegate.createDataDecryptor(packet, sessionKey);
    }

    private static boolean isAes(int algorithm) {
        return algorithm == SymmetricKeyAlgorithmTags.AES_128 || algorithm == SymmetricKeyAlgorithmTags.AES_192
                || algorithm == SymmetricKeyAlgorithmTags.AES_256;
    }
}
