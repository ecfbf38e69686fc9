package dev.walstow.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static Message roundTrip(Message m) throws Exception {
        return Frames.read(new ByteArrayInputStream(Frames.encode(m)));
    }

    @Test
    @DisplayName("requests and replies survive the wire unchanged, including non-ASCII reasons")
    void roundTrips() throws Exception {
        Request push = new Request(Request.Kind.PUSH, "000000010000000000000001", "pg_wal/000000010000000000000001",
                "/var/lib/postgresql/15/main");
        assertThat(roundTrip(push)).isEqualTo(push);
        assertThat(roundTrip(Request.ping())).isEqualTo(Request.ping());
        Reply err = Reply.error(ErrorCode.DUPLICATE, "different content — refusing (sha256 ab…)");
        assertThat(roundTrip(err)).isEqualTo(err);
        assertThat(roundTrip(Reply.notFound(""))).isEqualTo(Reply.notFound(""));
    }

    @Test
    @DisplayName("a reply maps to the exit-code contract: NOT_FOUND is 1 only for get, errors above 125 for get")
    void exitCodes() {
        assertThat(Reply.ok("").exitCode(Request.Kind.PUSH)).isZero();
        assertThat(Reply.notFound("").exitCode(Request.Kind.GET)).isEqualTo(1);
        assertThat(Reply.notFound("").exitCode(Request.Kind.PUSH)).isNotEqualTo(0);
        assertThat(Reply.error(ErrorCode.STORAGE, "").exitCode(Request.Kind.GET)).isEqualTo(207);
        assertThat(Reply.error(ErrorCode.STORAGE, "").exitCode(Request.Kind.PUSH)).isEqualTo(7);
        assertThat(Reply.unsupported("").exitCode(Request.Kind.GET)).isGreaterThan(125);
    }

    @Test
    @DisplayName("malformed frames are rejected with a ProtocolException naming the problem")
    void malformed() {
        byte[] good = Frames.encode(Request.ping());
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(badMagic))).hasMessageContaining("magic");
        byte[] badVersion = good.clone();
        badVersion[4] = 9;
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(badVersion))).hasMessageContaining("version 9");
        byte[] huge = good.clone();
        huge[6] = 0x7f;
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(huge))).hasMessageContaining("length");
        byte[] badType = good.clone();
        badType[5] = 0x42;
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(badType))).hasMessageContaining("type");
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(truncated)))
                .isInstanceOf(ProtocolException.class);
    }
}
