package dev.walstow.error;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WalstowExceptionTest {
    @Test
    @DisplayName("one line is [WS-CODE] message HINT: hint, on one line even when the message has line breaks")
    void oneLine() {
        LocalIoError e = new LocalIoError("cannot write\npg_wal/x", "check permissions", null);
        assertThat(e.oneLine()).isEqualTo("[WS-LOCAL-IO] cannot write pg_wal/x HINT: check permissions")
                .isEqualTo(ErrorCode.LOCAL_IO.line(e.getMessage(), e.hint()));
        assertThat(UserError.usage("bad", "").oneLine()).isEqualTo("[WS-USAGE] bad");
    }

    @Test
    @DisplayName("described for a user, a walstow error is its one line, also inside a future's wrapper")
    void described() {
        RepositoryError e = new RepositoryError("get x in posix:/r: " + Failures.describe(new NoSuchFileException(
                "/r/x")), "check the repository", true, null);
        assertThat(Failures.describe(new CompletionException(e))).isEqualTo(e.oneLine())
                .isEqualTo("[WS-STORAGE] get x in posix:/r: no such file: /r/x HINT: check the repository");
    }
}
