package dev.walstow.codec;

import java.util.Collection;
import java.util.HexFormat;
import java.util.stream.Collectors;

/**
 * Formats OpenPGP key IDs the way gpg prints them ({@code --keyid-format 0xlong}), and fingerprints, so users can
 * compare.
 */
public final class KeyIds {
    private KeyIds() {}

    public static String format(long keyId) {
        return "0x" + HexFormat.of().withUpperCase().toHexDigits(keyId);
    }

    /** The full fingerprint as {@code gpg --list-keys} prints it: 40 upper-case hex digits for a v4 key. */
    static String fingerprint(byte[] fingerprint) {
        return HexFormat.of().withUpperCase().formatHex(fingerprint);
    }

    static String format(Collection<Long> keyIds) {
        return keyIds.stream().map(KeyIds::format).collect(Collectors.joining(", "));
    }
}
