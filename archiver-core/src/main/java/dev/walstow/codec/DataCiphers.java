package dev.walstow.codec;

import java.security.SecureRandom;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.operator.PGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.SessionKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcSessionKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JceSessionKeyDataDecryptorFactoryBuilder;

/**
 * The bulk cipher (AES-CFB over every byte of every object) is the only hot crypto path; the session key
 * (public-key or S2K) is per object and uses the lightweight BC API. Which implementation runs the bulk cipher is
 * decided here, by measurement (see {@link #USE_JCE}).
 */
final class DataCiphers {
    /**
     * JCE (SunJCE, AES-NI intrinsics) vs BC lightweight (table-driven Java AES). Measured on 16 MiB with
     * the benchmark in CodecThroughputTest: see the comment there.
     */
    static final boolean USE_JCE = !Boolean.getBoolean("walstow.codec.bcCipher");

    private DataCiphers() {}

    static PGPDataEncryptorBuilder encryptor(int algorithm, SecureRandom random) {
        if (USE_JCE) {
            return new JcePGPDataEncryptorBuilder(algorithm).setWithIntegrityPacket(true).setSecureRandom(random);
        }
        return new BcPGPDataEncryptorBuilder(algorithm).setWithIntegrityPacket(true).setSecureRandom(random);
    }

    static SessionKeyDataDecryptorFactory decryptor(PGPSessionKey sessionKey) {
        if (USE_JCE) {
            return new JceSessionKeyDataDecryptorFactoryBuilder().build(sessionKey);
        }
        return new BcSessionKeyDataDecryptorFactory(sessionKey);
    }
}
