package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.WalRejected;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class XLogLongPageHeaderTest {

    @Test
    @DisplayName("parses the first 40 bytes of a real PostgreSQL 15 segment (1 MiB, segment 6)")
    void realBytes() {
        // xxd of pg_wal/000000010000000000000006 right after `initdb --wal-segsize=1` (PostgreSQL 15.x, x86-64)
        byte[] bytes = HexFormat.of().parseHex("10d10700010000000000600000000000"
                + "d9000000000000003f6d3daf36ba016b" + "0000100000200000");
        XLogLongPageHeader h = XLogLongPageHeader.parse(bytes);
        assertThat(h.magic()).isEqualTo(0xD110);
        assertThat(h.info()).isEqualTo(0x0007);
        assertThat(h.isLong()).isTrue();
        assertThat(h.timeline()).isEqualTo(new TimelineId(1));
        assertThat(h.pageLsn()).hasToString("0/600000");
        assertThat(h.remainingLength()).isEqualTo(0xD9);
        assertThat(h.systemIdentifierText()).isEqualTo("7710648781066038591"); // as pg_controldata printed it
        assertThat(h.segmentSize()).isEqualTo(1 << 20);
        assertThat(h.blockSize()).isEqualTo(8192);
    }

    @Test
    @DisplayName("reads unsigned fields without sign extension and ignores the padding")
    void unsignedFields() {
        byte[] b = Headers.longHeader(0xFFFF, 0x8002, 0xFFFFFFFFL, 0xFFFFFFFF_00000000L, -2L, 1 << 30, 32768);
        XLogLongPageHeader h = XLogLongPageHeader.parse(b);
        assertThat(h.magic()).isEqualTo(0xFFFF);
        assertThat(h.info()).isEqualTo(0x8002);
        assertThat(h.timeline().value()).isEqualTo(0xFFFFFFFFL);
        assertThat(h.pageLsn()).hasToString("FFFFFFFF/0");
        assertThat(h.systemIdentifierText()).isEqualTo("18446744073709551614");
        assertThat(h.segmentSizeUnsigned()).isEqualTo(1L << 30);
    }

    @Test
    @DisplayName("tells a short header from a long one by XLP_LONG_HEADER")
    void shortHeader() {
        assertThat(XLogLongPageHeader.parse(Headers.longHeader(0xD110, 0x0005, 1, 0, 1, 1 << 24, 8192)).isLong())
                .isFalse();
    }

    @Test
    @DisplayName("refuses fewer than 40 bytes and bytes that cannot be a page header")
    void rejects() {
        assertThatThrownBy(() -> XLogLongPageHeader.parse(new byte[39])).isInstanceOf(WalRejected.class)
                .hasMessageContaining("39");
        assertThatThrownBy(() -> XLogLongPageHeader.parse(new byte[8192])).isInstanceOf(WalRejected.class)
                .hasMessageContaining("timeline 0");
    }

    @Test
    @DisplayName("the first-page header written for a segment is the one the validator expects, byte for byte as parsed")
    void firstPageRoundTrip() {
        WalSegmentSize size = new WalSegmentSize(1 << 20);
        ClusterIdentity cluster = new ClusterIdentity(Headers.SYSID, 15, size);
        SegmentName seg = SegmentName.of(new TimelineId(3), 6, size);
        byte[] page = new byte[8192];
        java.util.Arrays.fill(page, (byte) 0x5A);
        XLogLongPageHeader.firstPageOf(seg, cluster).writeTo(page);

        // Headers writes PostgreSQL's layout independently (with junk in xlp_rem_len and the padding).
        byte[] expected = Headers.longHeader(0xD110, 0x0002, 3, seg.startLsn(size).value(), Headers.SYSID,
                size.bytes(), 8192);
        assertThat(java.util.Arrays.copyOfRange(page, 0, 16)).isEqualTo(java.util.Arrays.copyOfRange(expected, 0, 16));
        assertThat(java.util.Arrays.copyOfRange(page, 24, 40)).isEqualTo(java.util.Arrays.copyOfRange(expected, 24, 40));
        XLogLongPageHeader parsed = XLogLongPageHeader.parse(page);
        assertThat(parsed).isEqualTo(XLogLongPageHeader.firstPageOf(seg, cluster));
        assertThat(parsed.pageLsn()).isEqualTo(seg.startLsn(size));
        assertThat(page[20]).as("padding zeroed").isZero();
        assertThat(page[XLogLongPageHeader.LENGTH]).as("nothing past the header").isEqualTo((byte) 0x5A);
        WalFileValidator.validateSegment(seg, page, size.bytes(), cluster);
    }
}
