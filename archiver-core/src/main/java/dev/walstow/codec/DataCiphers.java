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
     * JCE (SunJCE, AES-NI intrinsics) rather than BC lightweight (table-driven Java AES): measured on 16 MiB of
     * incompressible data, passphrase mode, 2 shared cores, encode ~90-120 ms and decode ~100-160 ms with JCE versus
     * ~320-490 ms and ~440-680 ms with BC. The system property {@code walstow.codec.bcCipher=true} switches back,
     * as an escape hatch should a JDK lack the cipher.
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
            return new EcbCfbDecryptorFactory(new JceSessionKeyDataDecryptorFactoryBuilder().build(sessionKey));
        }
        return new BcSessionKeyDataDecryptorFactory(sessionKey);
    }
}
