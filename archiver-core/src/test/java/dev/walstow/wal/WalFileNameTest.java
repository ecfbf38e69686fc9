package dev.walstow.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.error.UserError;
import dev.walstow.error.WalRejected;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalFileNameTest {
    private static final WalSegmentSize MB1 = WalSegmentSize.ofMegabytes(1);
    private static final WalSegmentSize MB16 = WalSegmentSize.DEFAULT;
    private static final WalSegmentSize GB1 = WalSegmentSize.ofMegabytes(1024);

    @ParameterizedTest
    @ValueSource(strings = {"000000010000000000000005", "FFFFFFFFFFFFFFFFFFFFFFFF", "000000010000000000000005.partial",
            "00000002.history", "0000000A.history", "000000010000000000000002.00000028.backup"})
    @DisplayName("round-trips every accepted form")
    void roundTrip(String name) {
        assertThat(WalFileName.parse(name).fileName()).isEqualTo(name);
    }

    @Test
    @DisplayName("parses each form into its own type with its parts")
    void types() {
        assertThat(WalFileName.parse("0000000200000016000000B3"))
                .isEqualTo(new SegmentName(new TimelineId(2), 0x16, 0xB3));
        assertThat(WalFileName.parse("000000010000000000000005.partial"))
                .isEqualTo(new PartialName(new SegmentName(new TimelineId(1), 0, 5)));
        assertThat(WalFileName.parse("0000000A.history")).isEqualTo(new HistoryName(new TimelineId(10)));
        WalFileName backup = WalFileName.parse("000000030000000000000002.00000028.backup");
        assertThat(backup).isEqualTo(new BackupHistoryName(new SegmentName(new TimelineId(3), 0, 2), 0x28));
        assertThat(backup.timeline()).isEqualTo(new TimelineId(3));
        assertThat(((BackupHistoryName) backup).startLsn(MB16)).hasToString("0/2000028");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00000001000000000000000", "0000000100000000000000055", "00000001000000000000000G",
            "000000010000000000000005 ", " 000000010000000000000005", "000000010000000000000005.partia",
            "000000010000000000000005.partialx", "000000010000000000000005.Partial", "00000002.history~",
            "0000002.history", "000000002.history", "000000010000000000000002.0000028.backup",
            "000000010000000000000002.000000028.backup", "000000010000000000000002.00000028.backupx",
            "000000010000000000000002-00000028.backup", "000000010000000000000005.ready", "RECOVERYHISTORY",
            "00000001.history.partial", "000000000000000000000001", "00000000.history"})
    @DisplayName("refuses malformed names with a usage error that names the input and lists accepted forms")
    void rejects(String name) {
        assertThatThrownBy(() -> WalFileName.parse(name)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
            assertThat(e.getMessage()).contains(name.isEmpty() ? "No WAL file name" : "'" + name + "'");
            assertThat(e.hint()).contains("00000002.history");
        });
    }

    @Test
    @DisplayName("refuses a null name")
    void rejectsNull() {
        assertThatThrownBy(() -> WalFileName.parse(null)).isInstanceOf(UserError.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_wal/000000010000000000000005", "../000000010000000000000005",
            "/var/lib/postgresql/15/main/pg_wal/000000010000000000000005", "pg_wal\\000000010000000000000005",
            "00000001000000000000\u00000005"})
    @DisplayName("refuses paths so that a name can never leave the WAL namespace")
    void rejectsPaths(String name) {
        assertThatThrownBy(() -> WalFileName.parse(name)).isInstanceOf(UserError.class)
                .hasMessageContaining("is a path").extracting(e -> ((UserError) e).hint()).asString()
                .contains("%f");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000001000000000000000a", "0000000a.history", "00000001000000000000000a.partial",
            "000000010000000000000002.0000002a.backup"})
    @DisplayName("refuses lower-case hex and says which spelling PostgreSQL uses")
    void rejectsLowerCase(String name) {
        assertThatThrownBy(() -> WalFileName.parse(name)).isInstanceOfSatisfying(UserError.class, e -> {
            assertThat(e.getMessage()).contains("'" + name + "'").contains("upper case");
            assertThat(e.hint()).contains(name.toUpperCase().replace(".PARTIAL", ".partial")
                    .replace(".HISTORY", ".history").replace(".BACKUP", ".backup"));
        });
    }

    @Test
    @DisplayName("numbers segments like PostgreSQL for 1 MiB, 16 MiB and 1 GiB segments")
    void segmentNumbering() {
        TimelineId t1 = new TimelineId(1);
        assertThat(SegmentName.of(t1, 0x16B3, MB16).fileName()).isEqualTo("0000000100000016000000B3");
        assertThat(SegmentName.of(t1, 0x16B37, MB1).fileName()).isEqualTo("000000010000001600000B37");
        assertThat(SegmentName.of(t1, 0x16 * 4 + 2, GB1).fileName()).isEqualTo("000000010000001600000002");
        SegmentName s = SegmentName.parse("0000000100000016000000B3");
        assertThat(s.segmentNumber(MB16)).isEqualTo(0x16B3);
        assertThat(s.startLsn(MB16)).hasToString("16/B3000000");
        assertThat(SegmentName.containing(t1, Lsn.parse("16/B374D848"), MB16)).isEqualTo(s);
    }

    @Test
    @DisplayName("next() rolls over into the next log id at the last segment of a log id")
    void nextRollsOver() {
        TimelineId t1 = new TimelineId(1);
        assertThat(SegmentName.parse("0000000100000000000000FF").next(MB16).fileName())
                .isEqualTo("000000010000000100000000");
        assertThat(SegmentName.parse("000000010000000000000FFF").next(MB1).fileName())
                .isEqualTo("000000010000000100000000");
        assertThat(SegmentName.parse("000000010000000000000003").next(GB1).fileName())
                .isEqualTo("000000010000000100000000");
        assertThat(SegmentName.parse("000000010000000000000001").next(GB1))
                .isEqualTo(new SegmentName(t1, 0, 2));
        assertThat(SegmentName.parse("000000010000000100000000").startLsn(GB1)).hasToString("1/0");
    }

    @Test
    @DisplayName("refuses segment names that cannot exist with the given segment size")
    void checkValidFor() {
        SegmentName s = SegmentName.parse("000000010000000000000004");
        s.checkValidFor(MB16);
        s.checkValidFor(MB1);
        assertThatThrownBy(() -> s.checkValidFor(GB1)).isInstanceOfSatisfying(WalRejected.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_WAL);
            assertThat(e.getMessage()).contains("000000010000000000000004").contains("1024 MiB")
                    .contains("00000004");
        });
        assertThatThrownBy(() -> SegmentName.parse("000000010000000000000100").segmentNumber(MB16))
                .isInstanceOf(WalRejected.class);
        SegmentName.parse("000000010000000000000100").checkValidFor(MB1);
    }

    @Test
    @DisplayName("SegmentName.parse refuses the other forms")
    void segmentParseOnlySegments() {
        assertThatThrownBy(() -> SegmentName.parse("00000002.history")).isInstanceOf(UserError.class)
                .hasMessageContaining("not a WAL segment name");
    }
}
