package dev.walstow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disaster-recovery promise: objects are read by stock gpg 2.2 and zstd, and what they write is read back. */
class GpgInteropTest {
    static final byte[] PLAIN = concat(TestData.compressible(3 << 20, 21), TestData.random(200_000, 22));

    @TempDir
    Path dir;
    Path home;

    @BeforeAll
    static void toolsPresent() {
        assumeTrue(onPath("gpg") && onPath("zstd"), "gpg and zstd are not installed");
    }

    @BeforeEach
    void gnupgHome() throws IOException {
        // gpg-agent's socket path must stay short: a fresh directory right under /tmp.
        home = Files.createTempDirectory(Path.of("/tmp"), "gh");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void stopAgent() throws Exception {
        run(List.of("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent"));
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @DisplayName("a key made by gpg --quick-gen-key (RSA default and cv25519) encrypts and decrypts both ways")
    void gpgGeneratedKeys() throws Exception {
        for (String algo : List.of("default", "future-default")) {
            String uid = "gpg-" + algo + "@example.org";
            gpg("--passphrase", "gpgpass", "--quick-gen-key", uid, algo, "default", "never");
            Path pub = dir.resolve(algo + ".pub");
            Path sec = dir.resolve(algo + ".sec");
            Files.write(pub, gpg("--armor", "--export", uid));
            Files.write(sec, gpg("--passphrase", "gpgpass", "--export-secret-keys", uid)); // binary on purpose
            TestData.ownerOnly(sec);
            Encryption.PublicKey keys = new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub),
                    Optional.of(OpenPgpKeys.readSecret(sec, Optional.of("gpgpass".toCharArray()))));

            assertGpgZstdRestore(TestData.codec(keys.withoutSecret()), "--passphrase", "gpgpass");
            assertWalstowReadsGpg(keys, "--encrypt", "--recipient", uid);
        }
    }

    @Test
    @DisplayName("a key from KeyGenerator imports into gpg, which decrypts walstow objects and encrypts to it")
    void keyGeneratorKeyWorksInGpg() throws Exception {
        TestData.KeyPair pair = TestData.generate(dir, "kg", Optional.of(TestData.KEY_PASSPHRASE));
        gpg("--import", pair.secretKey().toString());
        String pass = new String(TestData.KEY_PASSPHRASE);
        assertGpgZstdRestore(TestData.codec(pair.encryptOnly()), "--passphrase", pass);
        assertWalstowReadsGpg(pair.encryption(), "--trust-model", "always", "--encrypt",
                "--recipient", "kg@example.org");
    }

    @Test
    @DisplayName("passphrase objects decrypt with gpg --passphrase-file, and gpg --symmetric output decodes")
    void symmetric() throws Exception {
        Path passFile = dir.resolve("pass");
        Files.writeString(passFile, "a long random passphrase\n");
        Encryption.Symmetric s = new Encryption.Symmetric("a long random passphrase".toCharArray());
        assertGpgZstdRestore(TestData.codec(s), "--passphrase-file", passFile.toString());
        assertWalstowReadsGpg(s, "--passphrase-file", passFile.toString(), "--cipher-algo", "AES256", "--symmetric");
    }

    @Test
    @DisplayName("plain objects decompress with zstd -d, and zstd -c output decodes")
    void plainZstd() throws Exception {
        Path object = dir.resolve("object");
        Path plain = write("plain", PLAIN);
        try (OutputStream out = Files.newOutputStream(object)) {
            TestData.codec(new Encryption.None()).encode(Files.newInputStream(plain), out);
        }
        Path back = dir.resolve("back");
        shell("zstd -q -d -o '" + back + "' '" + object + "'");
        assertThat(Files.readAllBytes(back)).isEqualTo(PLAIN);

        Path fromCli = dir.resolve("cli.zst");
        shell("zstd -q -c '" + plain + "' > '" + fromCli + "'");
        assertThat(TestData.decode(TestData.codec(new Encryption.None()), Files.readAllBytes(fromCli)))
                .isEqualTo(PLAIN);
    }

    /** walstow encodes; {@code gpg --decrypt | zstd -d} must give the bytes back exactly. */
    private void assertGpgZstdRestore(WalCodec codec, String... passphraseArgs) throws Exception {
        Path object = dir.resolve("object.pgp");
        try (OutputStream out = Files.newOutputStream(object)) {
            codec.encode(Files.newInputStream(write("plain", PLAIN)), out);
        }
        Path back = dir.resolve("segment");
        Files.deleteIfExists(back);
        shell("gpg --batch --quiet --homedir '" + home + "' --pinentry-mode loopback " + quote(passphraseArgs)
                + " --decrypt '" + object + "' | zstd -q -d -o '" + back + "'");
        assertThat(Files.readAllBytes(back)).isEqualTo(PLAIN);
    }

    /** {@code zstd -c | gpg ...} makes the object; walstow must decode it. */
    private void assertWalstowReadsGpg(Encryption config, String... gpgArgs) throws Exception {
        Path object = dir.resolve("from-gpg.pgp");
        Files.deleteIfExists(object);
        shell("zstd -q -c '" + write("plain", PLAIN) + "' | gpg --batch --quiet --homedir '" + home
                + "' --pinentry-mode loopback " + quote(gpgArgs) + " --output '" + object + "'");
        assertThat(TestData.decode(TestData.codec(config), Files.readAllBytes(object))).isEqualTo(PLAIN);
    }

    private byte[] gpg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--quiet", "--homedir", home.toString(),
                "--pinentry-mode", "loopback"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private void shell(String script) throws Exception {
        run(List.of("bash", "-c", "set -euo pipefail; " + script));
    }

    private static byte[] run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[] out;
        byte[] err;
        try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
            // keys and small outputs only: reading one after the other cannot dead-lock at these sizes
            out = o.readAllBytes();
            err = e.readAllBytes();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", cmd, new String(err, StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static String quote(String... args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            b.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        return b.toString();
    }

    private static boolean onPath(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
