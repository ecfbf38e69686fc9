package dev.walstow.wal;

import dev.walstow.error.UserError;
import java.util.List;
import java.util.OptionalInt;

/**
 * The PostgreSQL major versions walstow supports and the {@code XLOG_PAGE_MAGIC} each writes into every WAL page
 * header. The magic changes whenever the WAL format does, so a segment's magic tells which major wrote it.
 */
public final class PgMajor {
    public static final int OLDEST = 13;
    public static final int NEWEST = 18;

    /*
     * Index = major - OLDEST. XLOG_PAGE_MAGIC (src/include/access/xlog_internal.h), each read from the first page of
     * a segment written by that major's own initdb: 13.23, 14.20, 16.11, 17.5 and 18.6 (zonky's builds) and 15.18
     * (Debian's). packaging's PgVersionMatrixIT archives and fetches WAL of every one of them and checks the
     * magic of what comes back against this table.
     * PostgreSQL master (19devel) is already at 0xD120, so a new major always needs a new entry here.
     */
    private static final int[] MAGIC = {0xD106, 0xD10D, 0xD110, 0xD113, 0xD116, 0xD118};

    private PgMajor() {
    }

    public static List<Integer> supported() {
        return java.util.stream.IntStream.rangeClosed(OLDEST, NEWEST).boxed().toList();
    }

    public static boolean isSupported(int major) {
        return major >= OLDEST && major <= NEWEST;
    }

    /** The page magic of {@code major}; an unsupported major is a binding error. */
    public static int walPageMagic(int major) {
        requireSupported(String.valueOf(major));
        return MAGIC[major - OLDEST];
    }

    /** The supported major whose WAL carries {@code magic}, if any. */
    public static OptionalInt majorForMagic(int magic) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (MAGIC[i] == magic) {
                return OptionalInt.of(OLDEST + i);
            }
        }
        return OptionalInt.empty();
    }

    /** Takes the text form so that {@code 9.6} from an old PG_VERSION gets the same message as {@code 12}. */
    static int requireSupported(String major) {
        try {
            int m = Integer.parseInt(major);
            if (isSupported(m)) {
                return m;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the same message
        }
        throw UserError.binding("PostgreSQL " + major + " is not supported by walstow.",
                "walstow supports PostgreSQL " + OLDEST + " to " + NEWEST + "; upgrade the cluster or use a walstow "
                        + "release that supports it");
    }
}
