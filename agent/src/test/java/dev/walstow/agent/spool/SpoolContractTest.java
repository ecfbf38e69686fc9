package dev.walstow.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolContractTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("the generated C header defines every name and number the launcher uses, with the Java values")
    void header() throws Exception {
        Path h = dir.resolve("generated/walstow_spool.h");
        SpoolContract.main(new String[] {h.toString()});
        assertThat(Files.readString(h))
                .startsWith("/* Generated at build time")
                .contains("#define WS_SPOOL \"pg_wal/.walstow\"\n")
                .contains("#define WS_SERVING \"" + Serving.FILE + "\"\n")
                .contains("#define WS_SERVING_MAGIC \"walstow-serving-1\"\n")
                .contains("#define WS_STATE_PREFIX \"repo-\"\n")
                .contains("#define WS_PUSHED \"pushed\"\n")
                .contains("#define WS_ANSWER_MISSING \".missing\"\n")
                .contains("#define WS_CONFIG_DEFAULT \"/etc/walstow/walstow.toml\"\n")
                .contains("#define WS_HEARTBEAT_STALE_MS " + Serving.STALE_AFTER.toMillis() + "\n")
                .contains("#define WS_EXIT_HANDOVER_FAILED_GET 203\n")
                .contains("#define WS_EXIT_HANDOVER_FAILED 3\n")
                .endsWith("#endif\n");
    }
}
