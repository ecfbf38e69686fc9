package dev.walstow.error;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docs/exit-codes.md is the contract with PostgreSQL: its table must be {@link ErrorCode}'s, code by code. */
class ExitCodesDocTest {
    private static final Path DOC = Path.of("..", "docs", "exit-codes.md");

    @Test
    @DisplayName("docs/exit-codes.md lists every error code with the exit statuses ErrorCode gives it")
    void tableMatchesErrorCode() throws Exception {
        String doc = Files.readString(DOC);
        for (ErrorCode code : ErrorCode.values()) {
            Matcher row = Pattern.compile("(?m)^\\| `" + Pattern.quote(code.id()) + "` \\|[^|]*\\| (\\d+) \\| ([^|]+) \\|$")
                    .matcher(doc);
            assertThat(row.find()).as("a row for %s", code.id()).isTrue();
            assertThat(Integer.parseInt(row.group(1))).as("%s push exit", code.id()).isEqualTo(code.pushExit());
            String get = row.group(2).trim();
            if (!get.equals("—")) {
                assertThat(Integer.parseInt(get)).as("%s get exit", code.id()).isEqualTo(code.getExit());
            }
        }
    }
}
