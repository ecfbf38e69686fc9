package dev.walstow.wal;

import dev.walstow.error.UserError;

/**
 * The name of a file PostgreSQL hands to {@code archive_command} or asks of {@code restore_command}. Only bare file
 * names in PostgreSQL's exact spelling are accepted: the name becomes a repository key, so anything looser (a path,
 * lower-case hex, trailing junk) could alias a different file or escape the WAL namespace.
 */
public sealed interface WalFileName permits SegmentName, PartialName, HistoryName, BackupHistoryName {

    /** The accepted forms, for error hints. */
    String ACCEPTED_FORMS = "a WAL segment (000000010000000000000005), a partial segment "
            + "(000000010000000000000005.partial), a timeline history file (00000002.history) or a backup "
            + "history file (000000010000000000000002.00000028.backup)";

    String fileName();

    TimelineId timeline();

    static WalFileName parse(String fileName) {
        if (fileName == null || fileName.isEmpty()) {
            throw UserError.usage("No WAL file name was given.", "pass " + ACCEPTED_FORMS);
        }
        if (fileName.indexOf('/') >= 0 || fileName.indexOf('\\') >= 0 || fileName.indexOf('\0') >= 0) {
            throw UserError.usage("'" + fileName + "' is a path, not a WAL file name.",
                    "pass the bare file name (%f), not the path (%p); accepted: " + ACCEPTED_FORMS);
        }
        WalFileName parsed = tryParse(fileName);
        if (parsed != null) {
            return parsed;
        }
        String upper = upperCaseHexDigits(fileName);
        if (!upper.equals(fileName) && tryParse(upper) != null) {
            throw UserError.usage("'" + fileName + "' uses lower-case hex digits; PostgreSQL names WAL files in "
                    + "upper case.", "pass the name exactly as PostgreSQL gives it: " + upper);
        }
        throw UserError.usage("'" + fileName + "' is not a WAL file name.", "pass " + ACCEPTED_FORMS);
    }

    private static WalFileName tryParse(String s) {
        int n = s.length();
        if (n == 24 && Hex.isUpper(s)) {
            return SegmentName.ofHex(s);
        }
        if (n == 32 && s.endsWith(".partial") && Hex.isUpper(s, 0, 24)) {
            return timelineOk(s) ? new PartialName(SegmentName.ofHex(s.substring(0, 24))) : null;
        }
        if (n == 16 && s.endsWith(".history") && Hex.isUpper(s, 0, 8)) {
            return timelineOk(s) ? new HistoryName(new TimelineId(Long.parseLong(s, 0, 8, 16))) : null;
        }
        if (n == 40 && s.endsWith(".backup") && s.charAt(24) == '.' && Hex.isUpper(s, 0, 24)
                && Hex.isUpper(s, 25, 33)) {
            return timelineOk(s)
                    ? new BackupHistoryName(SegmentName.ofHex(s.substring(0, 24)), Long.parseLong(s, 25, 33, 16))
                    : null;
        }
        return null;
    }

    /** Upper-cases a-f only where the forms put hex digits, so that suffixes stay as they are. */
    private static String upperCaseHexDigits(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            boolean hexPosition = i < 24 || (c.length == 40 && i >= 25 && i < 33);
            if (hexPosition && c[i] >= 'a' && c[i] <= 'f') {
                c[i] = (char) (c[i] - 'a' + 'A');
            }
        }
        return new String(c);
    }

    private static boolean timelineOk(String s) {
        return Long.parseLong(s, 0, 8, 16) != 0;
    }
}
