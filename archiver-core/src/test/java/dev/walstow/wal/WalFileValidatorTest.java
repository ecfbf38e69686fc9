package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.WalRejected;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WalFileValidatorTest {
    private static final WalSegmentSize MB16 = WalSegmentSize.DEFAULT;
    private static final ClusterIdentity BOUND = new ClusterIdentity(Headers.SYSID, 15, MB16);
    private static final SegmentName SEG = SegmentName.parse("0000000200000016000000B3");
    private static final long START = SEG.startLsn(MB16).value();

    private static WalRejected rejected(WalFileName name, byte[] bytes, long size) {
        try {
            WalFileValidator.validateSegment(name, bytes, size, BOUND);
        } catch (WalRejected e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_WAL);
            assertThat(e.hint()).isNotBlank();
            return e;
        }
        throw new AssertionError(name + " was accepted");
    }

    private static byte[] header(int magic, int info, long tli, long pageAddr, long sysid, int segSize) {
        return Headers.longHeader(magic, info, tli, pageAddr, sysid, segSize, 8192);
    }

    @Nested
    @DisplayName("validateSegment")
    class Segments {
        @Test
        @DisplayName("accepts a segment and a partial segment that match name and cluster")
        void accepts() {
            byte[] ok = Headers.pg15(SEG, MB16);
            assertThatCode(() -> WalFileValidator.validateSegment(SEG, ok, MB16.bytes(), BOUND))
                    .doesNotThrowAnyException();
            assertThatCode(() -> WalFileValidator.validateSegment(new PartialName(SEG), ok, MB16.bytes(), BOUND))
                    .doesNotThrowAnyException();
        }

        @Test
        @DisplayName("accepts a new timeline's first segment whose first page still carries the parent timeline")
        void acceptsParentTimelineInHeader() {
            byte[] copied = header(0xD110, 0x0002, 1, START, Headers.SYSID, MB16.bytes());
            assertThatCode(() -> WalFileValidator.validateSegment(SEG, copied, MB16.bytes(), BOUND))
                    .doesNotThrowAnyException();
        }

        @Test
        @DisplayName("refuses a file whose size is not the segment size, naming both sizes")
        void size() {
            assertThat(rejected(SEG, Headers.pg15(SEG, MB16), 8192).getMessage())
                    .contains(SEG.fileName()).contains("8192").contains("16777216");
            assertThat(rejected(SEG, Headers.pg15(SEG, MB16), MB16.bytes() + 1L).getMessage())
                    .contains("16777217");
        }

        @Test
        @DisplayName("refuses a segment name that cannot exist with the bound segment size")
        void impossibleName() {
            SegmentName bad = new SegmentName(new TimelineId(1), 0, 0x100);
            assertThat(rejected(bad, Headers.pg15(SEG, MB16), MB16.bytes()).getMessage())
                    .contains("000000010000000000000100");
        }

        @Test
        @DisplayName("refuses a short page header and an all-zero file")
        void notLong() {
            assertThat(rejected(SEG, header(0xD110, 0x0001, 2, START, Headers.SYSID, MB16.bytes()), MB16.bytes())
                    .getMessage()).contains("long page header").contains("0x0001");
            assertThat(rejected(SEG, new byte[8192], MB16.bytes()).getMessage()).contains(SEG.fileName())
                    .contains("timeline 0");
        }

        @Test
        @DisplayName("refuses another major's WAL and says which major wrote it")
        void otherMajor() {
            WalRejected e = rejected(SEG, header(0xD113, 0x0002, 2, START, Headers.SYSID, MB16.bytes()),
                    MB16.bytes());
            assertThat(e.getMessage()).contains("0xD113").contains("PostgreSQL 16").contains("PostgreSQL 15");
            assertThat(e.hint()).contains("pg_upgrade");
        }

        @Test
        @DisplayName("refuses an unknown magic as not WAL of any supported major")
        void unknownMagic() {
            assertThat(rejected(SEG, header(0x1234, 0x0002, 2, START, Headers.SYSID, MB16.bytes()), MB16.bytes())
                    .getMessage()).contains("0x1234").contains("not the magic of any supported");
        }

        @Test
        @DisplayName("refuses WAL from another cluster, naming both system identifiers")
        void otherCluster() {
            WalRejected e = rejected(SEG, header(0xD110, 0x0002, 2, START, 42, MB16.bytes()), MB16.bytes());
            assertThat(e.getMessage()).contains("another cluster").contains("42")
                    .contains(Long.toUnsignedString(Headers.SYSID));
            assertThat(e.hint()).contains("own repository").contains("walstow init");
        }

        @Test
        @DisplayName("refuses a header whose segment size differs from the bound one")
        void otherSegmentSize() {
            assertThat(rejected(SEG, header(0xD110, 0x0002, 2, START, Headers.SYSID, 1 << 26), MB16.bytes())
                    .getMessage()).contains("67108864").contains("16777216");
        }

        @Test
        @DisplayName("refuses a header on a later timeline than the name")
        void laterTimeline() {
            assertThat(rejected(SEG, header(0xD110, 0x0002, 3, START, Headers.SYSID, MB16.bytes()), MB16.bytes())
                    .getMessage()).contains("00000003").contains("00000002");
        }

        @Test
        @DisplayName("refuses a recycled or renamed segment whose page address is not the name's start")
        void pageAddress() {
            long other = START - MB16.bytes();
            assertThat(rejected(SEG, header(0xD110, 0x0002, 2, other, Headers.SYSID, MB16.bytes()), MB16.bytes())
                    .getMessage()).contains("16/B2000000").contains("16/B3000000");
        }
    }

    @Nested
    @DisplayName("validateHistory")
    class History {
        private final HistoryName tli3 = new HistoryName(new TimelineId(3));

        private void accept(String text) {
            WalFileValidator.validateHistory(tli3, text.getBytes(StandardCharsets.UTF_8));
        }

        private WalRejected reject(byte[] bytes) {
            try {
                WalFileValidator.validateHistory(tli3, bytes);
            } catch (WalRejected e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_WAL);
                assertThat(e.getMessage()).contains("00000003.history");
                return e;
            }
            throw new AssertionError("accepted");
        }

        private WalRejected reject(String text) {
            return reject(text.getBytes(StandardCharsets.UTF_8));
        }

        @Test
        @DisplayName("accepts history as PostgreSQL writes it, with comments, blank lines and CRLF")
        void accepts() {
            assertThatCode(() -> {
                accept("1\t0/3000060\tno recovery target specified\n");
                accept("1\t0/3000060\tno recovery target specified\n\n2\t0/5000000\tat restore point \"x\"\n");
                accept("# comment\r\n1\t0/3000060\tbefore 2025-01-01 00:00:00+00\r\n");
                accept("1 0/3000060");
            }).doesNotThrowAnyException();
        }

        @Test
        @DisplayName("refuses binary garbage, NUL bytes and empty files")
        void garbage() {
            assertThat(reject(new byte[] {(byte) 0xC3, 0x28, 0x0A}).getMessage()).contains("not text");
            assertThat(reject("1\t0/3000060\0\n").getMessage()).contains("0x00");
            assertThat(reject("").getMessage()).contains("no timeline entries");
            assertThat(reject("# only a comment\n").getMessage()).contains("no timeline entries");
        }

        @Test
        @DisplayName("refuses malformed lines, naming the line")
        void malformed() {
            assertThat(reject("1\tnot-an-lsn\treason\n").getMessage()).contains("line 1").contains("not-an-lsn");
            assertThat(reject("1\t0/1\tok\nx\t0/2\tbad\n").getMessage()).contains("line 2");
            assertThat(reject("1\n").getMessage()).contains("line 1");
        }

        @Test
        @DisplayName("refuses parents that are not below the file's timeline or do not increase")
        void parents() {
            assertThat(reject("3\t0/3000060\tx\n").getMessage()).contains("parent timeline 3").contains("1..2");
            assertThat(reject("0\t0/3000060\tx\n").getMessage()).contains("parent timeline 0");
            assertThat(reject("2\t0/3000060\tx\n1\t0/4000000\ty\n").getMessage()).contains("must increase");
        }
    }
}
