package dev.walstow.wal;

/** Character-class checks shared by the parsers; WAL names use upper-case hex only (PostgreSQL writes %X). */
final class Hex {
    static final java.util.HexFormat UPPER = java.util.HexFormat.of().withUpperCase();

    private Hex() {
    }

    static boolean isUpper(CharSequence s) {
        return check(s, 0, s.length(), false);
    }

    static boolean isUpper(CharSequence s, int from, int to) {
        return check(s, from, to, false);
    }

    static boolean isAnyCase(CharSequence s, int from, int to) {
        return check(s, from, to, true);
    }

    private static boolean check(CharSequence s, int from, int to, boolean lowerAllowed) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (lowerAllowed && c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
