package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.UserError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalSegmentSizeTest {

    @Test
    @DisplayName("accepts every power of two from 1 MiB to 1 GiB and knows how many fit in a log id")
    void valid() {
        for (int mb = 1; mb <= 1024; mb *= 2) {
            WalSegmentSize size = WalSegmentSize.ofMegabytes(mb);
            assertThat(size.bytes()).isEqualTo(mb << 20);
            assertThat(size.segmentsPerXLogId()).isEqualTo(4096L / mb);
        }
        assertThat(WalSegmentSize.DEFAULT.bytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(WalSegmentSize.DEFAULT.segmentsPerXLogId()).isEqualTo(256);
        assertThat(WalSegmentSize.DEFAULT).hasToString("16 MiB");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 512 * 1024, 3 << 20, (1 << 20) + 1, Integer.MIN_VALUE})
    @DisplayName("refuses sizes PostgreSQL cannot use, naming the value")
    void invalid(int bytes) {
        assertThatThrownBy(() -> new WalSegmentSize(bytes)).isInstanceOf(UserError.class)
                .hasMessageContaining(String.valueOf(bytes));
        assertThat(WalSegmentSize.isValid(bytes)).isFalse();
    }

    @Test
    @DisplayName("refuses 2 GiB and other sizes out of initdb's range")
    void outOfRange() {
        assertThat(WalSegmentSize.isValid(1L << 31)).isFalse();
        assertThatThrownBy(() -> WalSegmentSize.ofMegabytes(2048)).isInstanceOf(UserError.class)
                .hasMessageContaining("2048");
        assertThatThrownBy(() -> WalSegmentSize.ofMegabytes(3)).isInstanceOf(UserError.class);
    }
}
