package dev.walstow.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.error.UserError;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RepliesTest {
    @Test
    @DisplayName("a walstow error keeps its code and its one line; a wait that ran out is STORAGE; anything else "
            + "is a bug, said in words")
    void forFailure() {
        UserError usage = UserError.usage("not a WAL name", "pass %f");
        assertThat(Replies.forFailure(new CompletionException(usage), "late"))
                .isEqualTo(Reply.error(ErrorCode.USAGE, usage.oneLine()));
        Reply late = Replies.forFailure(new CompletionException(new TimeoutException()), "X still not durable");
        assertThat(late.error()).isEqualTo(Optional.of(ErrorCode.STORAGE));
        assertThat(late.reason()).isEqualTo("[WS-STORAGE] X still not durable");
        Reply bug = Replies.forFailure(new IllegalStateException("boom"), "late");
        assertThat(bug.error()).isEqualTo(Optional.of(ErrorCode.INTERNAL));
        assertThat(bug.reason()).startsWith("[WS-INTERNAL] unexpected failure: boom HINT:")
                .doesNotContain("IllegalStateException");
    }
}
