package dev.walstow.wal;

import dev.walstow.error.WalRejected;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Checks, before anything is archived, that a local WAL file is what its name says and belongs to the cluster the
 * repository is bound to. Archiving a wrong file is worse than failing: PostgreSQL would delete the real segment
 * once archive_command succeeds.
 */
public final class WalFileValidator {
    private static final String FOREIGN_HINT = "each cluster needs its own repository; `walstow init` binds an empty "
            + "one";

    private WalFileValidator() {
    }

    /**
     * @param name       a {@link SegmentName} or {@link PartialName}
     * @param firstBytes at least the first {@value XLogLongPageHeader#LENGTH} bytes of the file
     * @param fileSize   the file's size on disk
     * @param bound      the identity the repository is bound to
     */
    public static void validateSegment(WalFileName name, byte[] firstBytes, long fileSize, ClusterIdentity bound) {
        SegmentName seg = switch (name) {
            case SegmentName s -> s;
            case PartialName p -> p.segment();
            default -> throw new IllegalArgumentException(name.fileName() + " is not a WAL segment");
        };
        String file = name.fileName();
        WalSegmentSize size = bound.segmentSize();
        seg.checkValidFor(size);
        // Partial segments are full size too: PostgreSQL and pg_receivewal both keep the unused tail.
        if (fileSize != size.bytes()) {
            throw WalRejected.invalid(file + " is " + fileSize + " bytes, but this cluster's WAL segments are "
                            + size.bytes() + " bytes (" + size + ").",
                    fileSize < size.bytes() ? "the file is truncated or still being written; archive only files "
                            + "PostgreSQL hands to archive_command" : "the file is not a WAL segment of this cluster");
        }
        if (firstBytes.length < XLogLongPageHeader.LENGTH) {
            throw WalRejected.invalid("Only " + firstBytes.length + " bytes of " + file + " were read, too few for "
                    + "its page header.", "this is a bug in walstow; please report it");
        }
        XLogLongPageHeader h;
        try {
            h = XLogLongPageHeader.parse(firstBytes);
        } catch (WalRejected e) {
            throw WalRejected.invalid(file + ": " + e.getMessage(), e.hint());
        }
        if (!h.isLong()) {
            throw WalRejected.invalid(String.format("%s does not start with a long page header (xlp_magic 0x%04X, "
                    + "xlp_info 0x%04X).", file, h.magic(), h.info()), "the file is not a WAL segment or is damaged");
        }
        int expected = PgMajor.walPageMagic(bound.pgMajor());
        if (h.magic() != expected) {
            OptionalInt writer = PgMajor.majorForMagic(h.magic());
            String whose = writer.isPresent() ? "the magic of PostgreSQL " + writer.getAsInt()
                    : "not the magic of any supported PostgreSQL (" + PgMajor.OLDEST + ".." + PgMajor.NEWEST + ")";
            throw WalRejected.invalid(String.format("%s has WAL page magic 0x%04X, %s, but the repository is bound "
                            + "to PostgreSQL %d (0x%04X).", file, h.magic(), whose, bound.pgMajor(), expected),
                    writer.isPresent() ? "WAL of each major version goes to its own repository; after pg_upgrade "
                            + "bind a new one with `walstow init`" : "the file is not a WAL segment or is damaged");
        }
        if (h.systemIdentifier() != bound.systemIdentifier()) {
            throw WalRejected.invalid(file + " is WAL from another cluster: its system identifier is "
                    + h.systemIdentifierText() + ", the repository belongs to " + bound.systemIdentifierText() + ".",
                    FOREIGN_HINT);
        }
        if (h.segmentSize() != size.bytes()) {
            throw WalRejected.invalid(file + " was written with " + h.segmentSizeUnsigned() + "-byte segments, the "
                    + "repository is bound to " + size.bytes() + " (" + size + ").", FOREIGN_HINT);
        }
        // The first segment of a new timeline is a copy of its parent's segment up to the switch point, so its first
        // page still carries the parent's timeline. Only a later timeline than the name is impossible.
        if (h.timeline().compareTo(name.timeline()) > 0) {
            throw WalRejected.invalid(file + " has timeline " + h.timeline().hex() + " in its header but "
                            + name.timeline().hex() + " in its name.",
                    "the file was renamed or copied from another timeline; archive only files PostgreSQL hands to "
                            + "archive_command");
        }
        Lsn start = seg.startLsn(size);
        if (h.pageAddress() != start.value()) {
            throw WalRejected.invalid(file + " has page address " + h.pageLsn() + " but its name says it starts at "
                            + start + ".",
                    "the file is a recycled or renamed segment; archive only files PostgreSQL hands to "
                            + "archive_command");
        }
    }

    /**
     * Checks a timeline history file: UTF-8 text whose entries read {@code parentTLI <TAB> switchLSN <TAB> reason},
     * with parents increasing and below the file's own timeline. Blank lines and {@code #} comments are allowed,
     * as in PostgreSQL's own reader.
     */
    public static void validateHistory(HistoryName name, byte[] content) {
        String file = name.fileName();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw notHistory(file, "it is not text");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                throw notHistory(file, String.format("it contains the control character 0x%02X", (int) c));
            }
        }
        long previousParent = 0;
        int entries = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            long parent;
            try {
                parent = Long.parseLong(fields[0]);
                if (fields.length < 2) {
                    throw new NumberFormatException();
                }
                Lsn.parse(fields[1]);
            } catch (RuntimeException e) {
                throw notHistory(file, "line " + (i + 1) + " ('" + abbreviate(line) + "') is not "
                        + "'timeline<TAB>LSN<TAB>reason'");
            }
            if (parent < 1 || parent >= name.timeline().value()) {
                throw WalRejected.invalid(file + " line " + (i + 1) + " names parent timeline " + parent
                                + ", but parents of timeline " + name.timeline().value() + " must be 1.."
                                + (name.timeline().value() - 1) + ".",
                        "the file was renamed or damaged; archive only files PostgreSQL hands to archive_command");
            }
            if (parent <= previousParent) {
                throw WalRejected.invalid(file + " line " + (i + 1) + " names parent timeline " + parent
                                + " after " + previousParent + "; timelines must increase.",
                        "the file is damaged; archive only files PostgreSQL hands to archive_command");
            }
            previousParent = parent;
            entries++;
        }
        if (entries == 0) {
            throw notHistory(file, "it has no timeline entries");
        }
    }

    private static WalRejected notHistory(String file, String why) {
        return WalRejected.invalid(file + " is not a timeline history file: " + why + ".",
                "the file is damaged or not written by PostgreSQL; archive only files PostgreSQL hands to "
                        + "archive_command");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
