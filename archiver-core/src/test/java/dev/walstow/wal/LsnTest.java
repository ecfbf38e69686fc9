package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.UserError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @ParameterizedTest
    @CsvSource({"16/B374D848, 16B374D848", "0/16B3748, 16B3748", "0/0, 0", "FFFFFFFF/FFFFFFFF, FFFFFFFFFFFFFFFF",
            "1/0, 100000000"})
    @DisplayName("parses and prints PostgreSQL's unpadded upper-case X/X form")
    void roundTrip(String text, String value) {
        long v = Long.parseUnsignedLong(value, 16);
        Lsn lsn = Lsn.parse(text);
        assertThat(lsn.value()).isEqualTo(v);
        assertThat(lsn).hasToString(text);
    }

    @Test
    @DisplayName("accepts lower case and zero padding as pg_lsn input does, but prints canonically")
    void lenientInput() {
        assertThat(Lsn.parse("16/b374d848")).hasToString("16/B374D848");
        assertThat(Lsn.parse("00000000/016B3748")).hasToString("0/16B3748");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16", "/1", "1/", "16/B374D848/1", "123456789/0", "0/123456789", "G/0", "-1/0",
            "0 /1", "0x1/0"})
    @DisplayName("refuses malformed LSNs, naming the input")
    void rejects(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(UserError.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    @DisplayName("orders LSNs as unsigned numbers")
    void ordering() {
        assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(Lsn.parse("7FFFFFFF/FFFFFFFF"));
        assertThat(Lsn.parse("0/1")).isLessThan(Lsn.parse("1/0"));
    }

    @Test
    @DisplayName("splits into segment number and offset for each segment size")
    void segmentArithmetic() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.segmentNumber(WalSegmentSize.DEFAULT)).isEqualTo(0x16B3L);
        assertThat(lsn.offsetInSegment(WalSegmentSize.DEFAULT)).isEqualTo(0x74D848L);
        assertThat(lsn.segmentNumber(WalSegmentSize.ofMegabytes(1))).isEqualTo(0x16B37L);
        assertThat(lsn.offsetInSegment(WalSegmentSize.ofMegabytes(1))).isEqualTo(0x4D848L);
        assertThat(lsn.segmentNumber(WalSegmentSize.ofMegabytes(1024))).isEqualTo(0x16 * 4 + 2);
        assertThat(lsn.offsetInSegment(WalSegmentSize.ofMegabytes(1024))).isEqualTo(0x3374D848L);
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").segmentNumber(WalSegmentSize.DEFAULT)).isEqualTo((1L << 40) - 1);
    }
}
