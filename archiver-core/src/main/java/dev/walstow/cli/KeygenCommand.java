package dev.walstow.cli;

import dev.walstow.codec.KeyGenerator;
import dev.walstow.runtime.Components;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Generate an OpenPGP key pair usable by walstow and by gpg.",
                "Give the public key to archiving hosts; keep the secret key where you restore (and offline)."})
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "Public key to write.")
    Path publicKey;

    @Option(names = "--secret-key", required = true, paramLabel = "FILE", description = "Secret key to write (0600).")
    Path secretKey;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Protect the secret key with this passphrase.")
    Path passphraseFile;

    @Option(names = "--user-id", paramLabel = "ID", defaultValue = "walstow archive key",
            description = "OpenPGP user id (default: ${DEFAULT-VALUE}).")
    String userId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Optional<char[]> passphrase = Optional.ofNullable(passphraseFile).map(Components::readPassphrase);
        KeyGenerator.GeneratedKey key;
        try {
            key = KeyGenerator.generate(userId, passphrase, publicKey, secretKey);
        } finally {
            passphrase.ifPresent(p -> Arrays.fill(p, '\0'));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote public key " + publicKey + " and secret key " + secretKey);
        out.println("key ID " + key.primaryKeyId() + ", fingerprint " + key.primaryFingerprint() + " (" + userId + ")");
        out.println("encryption subkey ID " + key.encryptionKeyId() + ", fingerprint " + key.encryptionFingerprint()
                + ": objects are encrypted for it, and walstow's errors name it");
        out.flush();
        return 0;
    }
}
