package dev.walstow.storage.posix;

import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.StoreFixtures;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixOrphanCleanupTest {
    @TempDir
    Path root;

    @Test
    @DisplayName("cleanup removes old unlinked hidden files only (a dry run only counts them), keeping objects, "
            + "recent files and foreign files")
    void cleanupOrphans() throws Exception {
        PosixObjectStore store = new PosixObjectStore(root);
        byte[] bytes = {1, 2, 3};
        store.putIfAbsent("wal/a/seg", bytes, ObjectMeta.ofPlain(bytes));
        Path dir = root.resolve("wal/a");
        Path linkedData = dir.resolve(Files.readSymbolicLink(dir.resolve("seg")));
        Path oldTemp = Files.write(dir.resolve(".other.tmp.0123456789abcdef"), bytes);
        Path oldData = Files.write(dir.resolve(".other." + "2".repeat(64) + ".3.plain"), bytes);
        Path deepOldData = Files.write(Files.createDirectories(root.resolve("wal/b/c"))
                .resolve(".x." + "3".repeat(64) + ".3.zstd"), bytes);
        // A put in progress: its temp file is young, so it must survive however orphaned it looks.
        Path recentTemp = Files.write(dir.resolve(".seg2.tmp.fedcba9876543210"), bytes);
        Path foreign = Files.write(root.resolve(".walstow-config"), bytes);
        for (Path old : new Path[] {linkedData, oldTemp, oldData, deepOldData, foreign}) {
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        }

        assertThat(store.cleanAbandonedUploads(Duration.ofDays(1), true)).as("dry run").isEqualTo(3);
        assertThat(oldTemp).as("a dry run removes nothing").exists();
        assertThat(store.cleanAbandonedUploads(Duration.ofDays(1), false)).isEqualTo(3);

        assertThat(oldTemp).doesNotExist();
        assertThat(oldData).doesNotExist();
        assertThat(deepOldData).doesNotExist();
        assertThat(linkedData).exists();
        assertThat(recentTemp).exists();
        assertThat(foreign).exists();
        assertThat(StoreFixtures.content(store.get("wal/a/seg"))).containsExactly(bytes);
        assertThat(store.cleanAbandonedUploads(Duration.ofDays(1), false)).isZero();
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))).containsExactlyInAnyOrder(linkedData, recentTemp, foreign);
        }
    }
}
