package dev.walstow.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStreamTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("JOURNAL_STREAM counts only when it names the very file the descriptor is (device and inode)")
    void matchesDeviceAndInode() throws Exception {
        Path stream = Files.createFile(dir.resolve("stream"));
        Path other = Files.createFile(dir.resolve("other"));
        Map<String, Object> stat = Files.readAttributes(stream, "unix:dev,ino");
        String value = stat.get("dev") + ":" + stat.get("ino");
        assertThat(JournalStream.connects(value, stream)).isTrue();
        assertThat(JournalStream.connects(value, other)).isFalse();
    }

    @Test
    @DisplayName("no JOURNAL_STREAM, or one not in systemd's DEVICE:INODE form, means a plain stream")
    void absentOrMalformed() throws Exception {
        Path stream = Files.createFile(dir.resolve("stream"));
        assertThat(JournalStream.connects(null, stream)).isFalse();
        assertThat(JournalStream.connects("", stream)).isFalse();
        assertThat(JournalStream.connects("12345", stream)).isFalse();
        assertThat(JournalStream.connects("a:b", stream)).isFalse();
        assertThat(JournalStream.connects("1:2", dir.resolve("missing"))).isFalse();
    }
}
