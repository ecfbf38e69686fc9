package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PGPDataDecryptor;
import org.bouncycastle.openpgp.operator.SessionKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.jcajce.JceSessionKeyDataDecryptorFactoryBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CfbDecryptingInputStreamTest {
    private static final Random RANDOM = new Random(7);

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 15, 16, 17, 31, 32, 65_535, 65_536, 65_537, 200_003})
    @DisplayName("decrypts exactly what the JDK's AES/CFB/NoPadding encrypted, whatever the length and read sizes")
    void matchesJdkCfb(int length) throws Exception {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        byte[] plain = new byte[length];
        RANDOM.nextBytes(plain);
        Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding");
        cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        byte[] encrypted = cfb.doFinal(plain);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new CfbDecryptingInputStream(new Trickle(new ByteArrayInputStream(encrypted)), ecb)) {
            byte[] buf = new byte[1 + RANDOM.nextInt(40_000)];
            for (int n; (n = in.read(buf, 0, 1 + RANDOM.nextInt(buf.length))) >= 0; ) {
                out.write(buf, 0, n);
            }
        }
        assertThat(out.toByteArray()).isEqualTo(plain);
    }

    @Test
    @DisplayName("walstow's own encrypted objects are decrypted by the bulk-ECB path, and their MDC still checks")
    void walstowObjectsTakeTheFastPath() throws Exception {
        char[] passphrase = "correct horse battery staple".toCharArray();
        WalCodec codec = new WalCodec(new CodecSettings(1, new Encryption.Symmetric(passphrase)));
        byte[] plain = new byte[300_000];
        RANDOM.nextBytes(plain);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        codec.encode(new ByteArrayInputStream(plain), stored);

        PGPEncryptedDataList list = (PGPEncryptedDataList) new BcPGPObjectFactory(stored.toByteArray()).nextObject();
        PGPPBEEncryptedData pbe = (PGPPBEEncryptedData) list.get(0);
        PGPSessionKey sessionKey = pbe.getSessionKey(
                new BcPBEDataDecryptorFactory(passphrase, new BcPGPDigestCalculatorProvider()));
        AtomicInteger standardStreams = new AtomicInteger();
        InputStream clear = pbe.getDataStream(new EcbCfbDecryptorFactory(
                counting(new JceSessionKeyDataDecryptorFactoryBuilder().build(sessionKey), standardStreams)));
        PGPLiteralData literal = (PGPLiteralData) new BcPGPObjectFactory(clear).nextObject();
        byte[] zstdFrame = literal.getInputStream().readAllBytes();

        assertThat(pbe.verify()).isTrue();
        assertThat(standardStreams).hasValue(0);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        new WalCodec(new CodecSettings(1, new Encryption.None())).decode(new ByteArrayInputStream(zstdFrame), decoded);
        assertThat(decoded.toByteArray()).isEqualTo(plain);
    }

    /** Counts the streams Bouncy Castle's own decryptors hand out (there should be none for AES with an MDC). */
    private static SessionKeyDataDecryptorFactory counting(SessionKeyDataDecryptorFactory real, AtomicInteger streams) {
        return new SessionKeyDataDecryptorFactory() {
            @Override
            public PGPSessionKey getSessionKey() {
                return real.getSessionKey();
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(boolean mdc, int alg, byte[] key) throws PGPException {
                PGPDataDecryptor d = real.createDataDecryptor(mdc, alg, key);
                return new EcbCfbDecryptorFactory.Restreamed(d, in -> {
                    streams.incrementAndGet();
                    return d.getInputStream(in);
                });
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(org.bouncycastle.bcpg.AEADEncDataPacket p, PGPSessionKey k)
                    throws PGPException {
                return real.createDataDecryptor(p, k);
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(org.bouncycastle.bcpg.SymmetricEncIntegrityPacket p,
                    PGPSessionKey k) throws PGPException {
                return real.createDataDecryptor(p, k);
            }
        };
    }

    /** Returns at most a few hundred bytes per read, at odd sizes: block boundaries fall anywhere. */
    private static final class Trickle extends FilterInputStream {
        Trickle(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + RANDOM.nextInt(300)));
        }
    }
}
