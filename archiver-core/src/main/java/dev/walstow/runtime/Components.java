package dev.walstow.runtime;

import dev.walstow.agent.Failures;
import dev.walstow.archive.Retrier;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig;
import dev.walstow.config.WalstowConfig.EncryptionConfig;
import dev.walstow.config.WalstowConfig.RepositoryConfig;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.error.RepositoryError;
import dev.walstow.storage.posix.PosixObjectStore;
import dev.walstow.storage.StorageException;
import dev.walstow.storage.s3.ConditionalWriteCache;
import dev.walstow.storage.s3.S3ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;

/**
 * Builds the long-lived parts (repository, codec, and both bound into one {@link BoundRepository}) from a validated
 * configuration. The one place that does.
 */
public final class Components {

    /** Whether the command will need to decrypt. Pushing never loads the secret key, even if one is configured. */
    public enum KeyUse { ENCRYPT_ONLY, DECRYPT }

    private Components() {}

    public static Repository repository(WalstowConfig config, boolean createRoot) {
        return switch (config.repository()) {
            case RepositoryConfig.Posix posix -> new Repository(new PosixObjectStore(root(posix.path(), createRoot)));
            case RepositoryConfig.S3 s3 -> new Repository(s3(s3, ConditionalWriteCache.none()));
        };
    }

    /**
     * The repository for a process working beside a cluster's data directory (archive-push, the daemon): an S3
     * store keeps its conditional-write probe's answer in {@code spoolDirectory} (the daemon's spool,
     * {@code pg_wal/.walstow}), so that the next process need not probe.
     */
    public static Repository repository(WalstowConfig config, Path spoolDirectory) {
        return switch (config.repository()) {
            case RepositoryConfig.Posix posix -> repository(config, false);
            case RepositoryConfig.S3 s3 -> new Repository(s3(s3, ConditionalWriteCache.in(spoolDirectory)));
        };
    }

    /** The repository of the configuration, opened for work: see {@link #open(WalstowConfig, Repository, KeyUse)}. */
    public static BoundRepository open(WalstowConfig config, KeyUse use) {
        return open(config, repository(config, false), use);
    }

    /**
     * {@code repository} with the configuration's codec and its binding, read once here (retried with {@code [retry]},
     * the in-process commands' one retry layer). Closes {@code repository} if that fails.
     */
    public static BoundRepository open(WalstowConfig config, Repository repository, KeyUse use) {
        try {
            WalCodec codec = codec(config, use);
            return new Retrier(config.retry()).call("reading repository binding",
                    () -> BoundRepository.open(repository, codec));
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    /** The bucket must exist already: creating buckets needs rights an archiver should not have. */
    private static S3ObjectStore s3(RepositoryConfig.S3 s3, ConditionalWriteCache cache) {
        try {
            return S3ObjectStore.open(s3.settings(), cache);
        } catch (StorageException e) {
            throw RepositoryError.of("open repository " + s3.settings().location(), e);
        }
    }

    public static WalCodec codec(WalstowConfig config, KeyUse use) {
        return new WalCodec(new CodecSettings(config.compression().level(), encryption(config.encryption(), use)));
    }

    private static Encryption encryption(EncryptionConfig e, KeyUse use) {
        if (!e.enabled()) {
            return new Encryption.None();
        }
        Optional<char[]> passphrase = e.passphraseFile().map(Components::readPassphrase);
        if (e.recipient().isEmpty()) {
            return new Encryption.Symmetric(passphrase.orElseThrow());
        }
        var recipient = OpenPgpKeys.readRecipient(e.recipient().get());
        var secret = use == KeyUse.DECRYPT
                ? e.secret().map(path -> OpenPgpKeys.readSecret(path, passphrase))
                : Optional.<dev.walstow.codec.SecretKeys>empty();
        return new Encryption.PublicKey(recipient, secret);
    }

    /** The first line of the file, without its line ending, as the passphrase. The bytes are wiped after use. */
    public static char[] readPassphrase(Path file) {
        dev.walstow.codec.KeyFilePermissions.requirePrivate(file, "passphrase file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LocalIoError("cannot read encryption.passphrase-file " + file + ": " + Failures.describe(e),
                    "make it readable (mode 0600) by the PostgreSQL OS user", e);
        }
        try {
            int end = 0;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (end == 0) {
                throw UserError.config("encryption.passphrase-file " + file + " is empty",
                        "write the passphrase on the first line");
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
            char[] result = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return result;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static Path root(Path path, boolean create) {
        if (create && !Files.exists(path)) {
            try {
                Files.createDirectories(path, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-x---")));
            } catch (java.nio.file.AccessDeniedException e) {
                throw new LocalIoError("cannot create repository directory " + path + ": permission denied on "
                        + e.getFile(), "create it yourself, owned by the PostgreSQL OS user", e);
            } catch (IOException e) {
                throw new LocalIoError("cannot create repository directory " + path + ": " + Failures.describe(e),
                        "create it yourself, owned by the PostgreSQL OS user", e);
            }
        }
        return path;
    }
}
