package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.error.DataError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code walstow keygen} says which key it made, by the key IDs and fingerprints gpg and walstow's errors show. */
class KeygenCommandTest {
    private static final Pattern PRIMARY = Pattern.compile("(?m)^key ID (0x[0-9A-F]{16}), fingerprint ([0-9A-F]{40}) ");
    private static final Pattern SUBKEY = Pattern.compile(
            "(?m)^encryption subkey ID (0x[0-9A-F]{16}), fingerprint ([0-9A-F]{40}): ");

    @TempDir
    Path dir;

    @Test
    @DisplayName("keygen prints the primary key's and the encryption subkey's ID and full fingerprint, as in the key file")
    void printsIdsAndFingerprints() throws Exception {
        Cli gen = keygen("a");
        assertThat(gen.exit()).as(gen.toString()).isZero();
        Matcher primary = PRIMARY.matcher(gen.out());
        Matcher subkey = SUBKEY.matcher(gen.out());
        assertThat(primary.find()).as(gen.out()).isTrue();
        assertThat(subkey.find()).as(gen.out()).isTrue();
        assertThat(gen.out()).contains("(walstow archive key)");

        List<PGPPublicKey> keys = publicKeys(dir.resolve("a.pub.asc"));
        assertThat(keys).hasSize(2);
        assertThat(primary.group(1)).isEqualTo(id(keys.get(0).getKeyID()));
        assertThat(primary.group(2)).isEqualTo(HexFormat.of().withUpperCase().formatHex(keys.get(0).getFingerprint()));
        assertThat(subkey.group(1)).isEqualTo(id(keys.get(1).getKeyID()));
        assertThat(subkey.group(2)).isEqualTo(HexFormat.of().withUpperCase().formatHex(keys.get(1).getFingerprint()));
        assertThat(subkey.group(1)).as("the key walstow encrypts for")
                .isEqualTo(id(OpenPgpKeys.readRecipient(dir.resolve("a.pub.asc")).getKeyID()));
    }

    @Test
    @DisplayName("an object for one key, read with another's secret key: the error names both by the IDs keygen printed")
    void errorsNameTheKeysKeygenPrinted() throws Exception {
        Cli a = keygen("a");
        Cli b = keygen("b");
        String idA = matched(SUBKEY, a.out());
        String idB = matched(SUBKEY, b.out());

        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        codec("a").encode(new ByteArrayInputStream(new byte[] {1, 2, 3}), stored);
        assertThatThrownBy(() -> codec("b").decode(new ByteArrayInputStream(stored.toByteArray()),
                new ByteArrayOutputStream())).isInstanceOf(DataError.class).hasMessageContaining(idA)
                .hasMessageContaining(idB);
    }

    private Cli keygen(String name) {
        return Cli.run("keygen", "--public-key", dir.resolve(name + ".pub.asc").toString(), "--secret-key",
                dir.resolve(name + ".sec.asc").toString());
    }

    private WalCodec codec(String name) {
        return new WalCodec(new CodecSettings(1, new Encryption.PublicKey(
                OpenPgpKeys.readRecipient(dir.resolve(name + ".pub.asc")),
                Optional.of(OpenPgpKeys.readSecret(dir.resolve(name + ".sec.asc"), Optional.empty())))));
    }

    private static String matched(Pattern pattern, String out) {
        Matcher m = pattern.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group(1);
    }

    /** gpg's --keyid-format 0xlong, written out here rather than taken from walstow's own formatter. */
    private static String id(long keyId) {
        return String.format("0x%016X", keyId);
    }

    private static List<PGPPublicKey> publicKeys(Path file) throws Exception {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            PGPPublicKeyRing ring = (PGPPublicKeyRing) new BcPGPObjectFactory(in).nextObject();
            List<PGPPublicKey> keys = new java.util.ArrayList<>();
            ring.getPublicKeys().forEachRemaining(keys::add);
            return keys;
        }
    }
}
