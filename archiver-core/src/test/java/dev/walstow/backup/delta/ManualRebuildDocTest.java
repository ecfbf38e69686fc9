package dev.walstow.backup.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/disaster-recovery.md's by-hand rebuild of an incremental file works on what walstow writes. */
class ManualRebuildDocTest {
    private static final int BS = 8192;

    @TempDir
    Path dir;

    @Test
    @DisplayName("the documented Python snippet applies an incremental object to the older copy of its file")
    void documentedSnippetRebuildsTheFile() throws Exception {
        String doc = Files.readString(Path.of("../docs/disaster-recovery.md"));
        Matcher m = Pattern.compile("## Rebuilding a file of an incremental.*?```python\\n(.*?)```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("the section and its python block").isTrue();
        Path script = dir.resolve("apply.py");
        Files.writeString(script, m.group(1));

        byte[] older = new byte[4 * BS];
        byte[] newer = new byte[5 * BS];
        for (int b = 0; b < 4; b++) {
            IncrementalFormatTest.page(older, b, 10 + b);
            IncrementalFormatTest.page(newer, b, 10 + b);
        }
        IncrementalFormatTest.page(newer, 1, 99);
        newer[BS + 5000] = 7;
        IncrementalFormatTest.page(newer, 4, 99);
        Path current = dir.resolve("16384");
        Files.write(current, newer);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.READ);
                InputStream in = IncrementalInput.scan(ch, 0, Long.MAX_VALUE, BS, 4, 50, b -> false)) {
            in.transferTo(plain);
        }
        Path object = dir.resolve("plain");
        Files.write(object, plain.toByteArray());
        Path target = dir.resolve("target");
        Files.write(target, older);

        Process p = new ProcessBuilder("python3", script.toString(), object.toString(), target.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("blocks 2 file length " + 5 * BS);
        assertThat(Files.readAllBytes(target)).isEqualTo(newer);
    }
}
