package dev.walstow.daemon.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootIdTest {
    @TempDir
    Path temp;

    @Test
    @DisplayName("the kernel's boot id keys the prefetch spool")
    void kernelBootId() throws IOException {
        Path file = Files.writeString(temp.resolve("boot_id"), "3f1e9b2c-6d4a-4f0e-9c1b-2a7d5e8f0a11\n");
        assertThat(BootId.read(file)).isEqualTo("3f1e9b2c-6d4a-4f0e-9c1b-2a7d5e8f0a11");
    }

    @Test
    @DisplayName("without a readable boot id each daemon gets its own spool, which the launcher never finds")
    void noBootId() throws IOException {
        Path garbage = Files.writeString(temp.resolve("boot_id"), "../../etc\n");
        String a = BootId.read(garbage);
        String b = BootId.read(temp.resolve("missing"));
        assertThat(a).startsWith("process-").doesNotContain("/");
        assertThat(b).startsWith("process-").isNotEqualTo(a);
    }
}
