package dev.walstow.archive;

import dev.walstow.agent.Failures;
import dev.walstow.storage.Sha256;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.WalRejected;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.HistoryName;
import dev.walstow.wal.PartialName;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalFileValidator;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Reading and checking a WAL file on local disk before it goes anywhere. */
final class LocalWalFile {
    /** History and backup-label files are a few hundred bytes; anything huge under such a name is not one. */
    private static final long MAX_SMALL_FILE = 16L << 20;

    private LocalWalFile() {}

    /**
     * Checks that the file is what its name says for the bound cluster: size and long page header for segments
     * and partial segments, sane text for history files.
     */
    static void validate(WalFileName name, Path file, ClusterIdentity bound) {
        long size = size(file);
        switch (name) {
            case SegmentName s -> WalFileValidator.validateSegment(s, head(file, 40), size, bound);
            case PartialName p -> WalFileValidator.validateSegment(p, head(file, 40), size, bound);
            case HistoryName h -> {
                checkSmall(file, size);
                WalFileValidator.validateHistory(h, readAll(file));
            }
            default -> checkSmall(file, size);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            MessageDigest md = ((DigestInputStream) in).getMessageDigest();
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /**
     * Opens the file for an encoder that writes into the repository. Its read failures are {@link LocalIoError}s:
     * unchecked, so they pass through the store unchanged, which reports every {@link IOException} of a put as the
     * repository's (a retry then re-reads a file that cannot be read, and the message blames the repository).
     */
    static InputStream openForEncoding(Path file) {
        try {
            return new ReadErrorsAreLocal(file, Files.newInputStream(file));
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    static long size(Path file) {
        try {
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw readError(file, new NoSuchFileException(file.toString()));
            }
            if (!Files.isRegularFile(file)) {
                throw new LocalIoError(file + " is not a regular file", "pass %p, the WAL file PostgreSQL names", null);
            }
            return Files.size(file);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    static LocalIoError readError(Path file, IOException e) {
        String why = switch (e) {
            case NoSuchFileException x -> "it does not exist";
            case AccessDeniedException x -> "permission denied";
            default -> Failures.describe(e);
        };
        return new LocalIoError("cannot read " + file + ": " + why,
                "run walstow as the PostgreSQL OS user and pass %p unchanged", e);
    }

    private static void checkSmall(Path file, long size) {
        if (size > MAX_SMALL_FILE) {
            throw WalRejected.invalid(file + " is " + size + " bytes, too large for a history or backup file",
                    "check what wrote this file into pg_wal");
        }
    }

    private static byte[] head(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    private static MessageDigest digest() {
        return Sha256.digest();
    }

    private static final class ReadErrorsAreLocal extends FilterInputStream {
        private final Path file;

        ReadErrorsAreLocal(Path file, InputStream in) {
            super(in);
            this.file = file;
        }

        @Override
        public int read() {
            try {
                return in.read();
            } catch (IOException e) {
                throw readError(file, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw readError(file, e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw readError(file, e);
            }
        }
    }

    /** Discards bytes; the digest is what we want. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
