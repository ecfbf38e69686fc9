package dev.walstow.wal;

import dev.walstow.agent.Failures;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.UserError;
import dev.walstow.error.WalstowException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What makes WAL belong to one cluster: the system identifier initdb chose, the major version (which fixes the WAL
 * format) and the segment size. A repository is bound to exactly one identity.
 */
public record ClusterIdentity(long systemIdentifier, int pgMajor, WalSegmentSize segmentSize) {

    public ClusterIdentity {
        PgMajor.walPageMagic(pgMajor); // refuses an unsupported major with a binding error
        if (segmentSize == null) {
            throw new IllegalArgumentException("segment size is required");
        }
    }

    /** The system identifier as PostgreSQL prints it (an unsigned 64-bit decimal). */
    public String systemIdentifierText() {
        return Long.toUnsignedString(systemIdentifier);
    }

    /**
     * Reads the identity of the cluster in {@code dataDirectory} without a running server.
     *
     * <p>The segment size comes from the long page header of a segment in {@code pg_wal}, not from pg_control:
     * the header layout is the same in every supported major, while pg_control's field offsets move between
     * majors. Recycled segments keep the header of the segment they used to be, so only a segment whose page
     * address matches its own name counts; the newest such one is used.
     */
    public static ClusterIdentity read(Path dataDirectory) {
        if (!Files.isDirectory(dataDirectory)) {
            throw UserError.usage("PostgreSQL data directory " + dataDirectory + " does not exist or is not a "
                    + "directory.", "point walstow at the cluster's data directory (SHOW data_directory)");
        }
        Path versionFile = dataDirectory.resolve("PG_VERSION");
        Path control = dataDirectory.resolve("global").resolve("pg_control");
        Path walDir = dataDirectory.resolve("pg_wal");
        for (Path required : List.of(versionFile, control, walDir)) {
            if (!Files.exists(required)) {
                throw UserError.usage(dataDirectory + " is not a PostgreSQL data directory: "
                                + dataDirectory.relativize(required) + " is missing.",
                        "point walstow at the cluster's data directory (SHOW data_directory), not at its parent "
                                + "or a tablespace");
            }
        }
        int major = PgMajor.requireSupported(readVersion(versionFile));
        long systemId = readSystemIdentifier(control);
        WalSegmentSize size = segmentSizeFromWal(walDir, systemId, major);
        return new ClusterIdentity(systemId, major, size);
    }

    private static String readVersion(Path file) {
        String text = new String(readPrefix(file, 64), StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9]+(\\.[0-9]+)?")) {
            throw UserError.usage(file + " contains '" + text + "', not a PostgreSQL major version.",
                    "check that this is an intact PostgreSQL data directory");
        }
        return text;
    }

    private static long readSystemIdentifier(Path control) {
        byte[] head = readPrefix(control, 8);
        if (head.length < 8) {
            throw UserError.usage(control + " is only " + head.length + " bytes long, too short for pg_control.",
                    "check that this is an intact PostgreSQL data directory");
        }
        // ControlFileData starts with uint64 system_identifier in every major.
        return ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static WalSegmentSize segmentSizeFromWal(Path walDir, long systemId, int major) {
        List<Path> candidates;
        try (Stream<Path> files = Files.list(walDir)) {
            candidates = files.filter(p -> isSegmentFileName(p.getFileName().toString()))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        } catch (IOException e) {
            throw ioError("list", walDir, e);
        }
        List<String> rejected = new ArrayList<>();
        for (Path file : candidates) {
            String name = file.getFileName().toString();
            XLogLongPageHeader h;
            long fileSize;
            try {
                h = XLogLongPageHeader.parse(readPrefix(file, XLogLongPageHeader.LENGTH));
                fileSize = Files.size(file);
            } catch (WalstowException | IOException e) {
                rejected.add(name + " (unreadable header)");
                continue;
            }
            if (!h.isLong() || !WalSegmentSize.isValid(h.segmentSizeUnsigned())
                    || fileSize != h.segmentSizeUnsigned() || h.magic() != PgMajor.walPageMagic(major)) {
                rejected.add(name + " (not a " + "PostgreSQL " + major + " segment header)");
                continue;
            }
            if (h.systemIdentifier() != systemId) {
                rejected.add(name + " (system identifier " + h.systemIdentifierText() + ")");
                continue;
            }
            WalSegmentSize size = new WalSegmentSize(h.segmentSize());
            SegmentName seg = SegmentName.parse(name);
            if (seg.segId() < size.segmentsPerXLogId() && h.pageAddress() == seg.startLsn(size).value()) {
                return size;
            }
            // A recycled segment: right cluster, but the header still describes its former name.
        }
        if (!rejected.isEmpty()) {
            throw UserError.usage("Cannot tell the WAL segment size of the cluster in " + walDir.getParent()
                            + ": no segment in " + walDir + " belongs to system identifier "
                            + Long.toUnsignedString(systemId) + " with a matching header; rejected: "
                            + String.join(", ", rejected.subList(0, Math.min(5, rejected.size()))) + ".",
                    "check that pg_wal belongs to this data directory; starting the server once rewrites it");
        }
        throw UserError.usage("Cannot tell the WAL segment size of the cluster in " + walDir.getParent() + ": "
                        + walDir + " holds no WAL segment whose header names its own position.",
                "start the server once (or run a checkpoint) so that pg_wal holds a current segment");
    }

    private static boolean isSegmentFileName(String name) {
        return name.length() == 24 && Hex.isUpper(name) && !name.startsWith("00000000");
    }

    private static byte[] readPrefix(Path file, int max) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(max);
        } catch (IOException e) {
            throw ioError("read", file, e);
        }
    }

    private static LocalIoError ioError(String doing, Path file, IOException e) {
        String hint = e instanceof AccessDeniedException
                ? "run walstow as the PostgreSQL OS user, which owns the data directory"
                : e instanceof NoSuchFileException ? "check that the data directory is complete"
                : "check the file system holding the data directory";
        return new LocalIoError("Could not " + doing + " " + file + ": " + Failures.describe(e), hint,
                e);
    }
}
