package dev.walstow.codec;

import dev.walstow.error.UserError;
import java.util.Objects;

/**
 * @param zstdLevel  1..19, or -7..-1 for zstd's fast levels ({@code zstd --fast=N}). 20..22 ("ultra") are refused:
 *                   they need a larger window, hence more memory, on every restore.
 * @param encryption how objects are protected
 */
public record CodecSettings(int zstdLevel, Encryption encryption) {
    public static final int MIN_LEVEL = -7;
    public static final int MAX_LEVEL = 19;
    /** Measured on real WAL: 1.4-2.7x faster than 3 for a ~3 % larger object (docs/benchmarks.md). */
    public static final int DEFAULT_LEVEL = 1;

    public CodecSettings {
        Objects.requireNonNull(encryption, "encryption");
        if (zstdLevel < MIN_LEVEL || zstdLevel > MAX_LEVEL || zstdLevel == 0) {
            throw UserError.config("zstd level " + zstdLevel + " is out of range.",
                    "set [compression] level to 1..19 (1, the default, is fastest; 3 saves ~3 %) or -7..-1 for zstd's fast levels");
        }
    }
}
