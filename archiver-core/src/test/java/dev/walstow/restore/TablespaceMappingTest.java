package dev.walstow.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.backup.BackupManifest;
import dev.walstow.error.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TablespaceMappingTest {
    private static final Path ROOT = Path.of("/srv/restored");
    private static final BackupManifest BACKUP = backup(Map.of("16385", "/srv/ts/fast", "16386", "/srv/ts/slow"),
            Map.of("16385", "fast", "16386", "slow"));

    @Test
    @DisplayName("without a mapping every tablespace goes back to its location; a relative link is read from pg_tblspc")
    void inPlace() {
        assertThat(TablespaceMapping.NONE.locations(BACKUP, ROOT)).containsExactly(
                Map.entry("16385", Path.of("/srv/ts/fast")), Map.entry("16386", Path.of("/srv/ts/slow")));
        assertThat(TablespaceMapping.NONE.locations(backup(Map.of("16385", "../../ts"), null), ROOT))
                .containsExactly(Map.entry("16385", Path.of("/srv/ts")));
    }

    @Test
    @DisplayName("a tablespace is mapped by name or by OID; --tablespace-map-all places the others at DIR/NAME")
    void mapped() {
        assertThat(map(List.of("fast=/mnt/a"), null).locations(BACKUP, ROOT)).containsExactly(
                Map.entry("16385", Path.of("/mnt/a")), Map.entry("16386", Path.of("/srv/ts/slow")));
        assertThat(map(List.of("16386=/mnt/b/"), "/mnt/all").locations(BACKUP, ROOT)).containsExactly(
                Map.entry("16385", Path.of("/mnt/all/fast")), Map.entry("16386", Path.of("/mnt/b")));
        // A backup of an older walstow records no names: OIDs stand in for them.
        assertThat(map(List.of(), "/mnt/all").locations(backup(Map.of("16385", "/srv/ts/fast"), null), ROOT))
                .containsExactly(Map.entry("16385", Path.of("/mnt/all/16385")));
    }

    @Test
    @DisplayName("an unknown tablespace, a relative or shared location, or one inside the data directory is refused")
    void refused() {
        assertThatThrownBy(() -> map(List.of("nosuch=/mnt/a"), null).locations(BACKUP, ROOT))
                .isInstanceOf(UserError.class).hasMessageContaining("has no tablespace of that name or OID")
                .hasMessageContaining("fast = OID 16385, slow = OID 16386");
        assertThatThrownBy(() -> map(List.of("fast=/mnt/a"), null).locations(backup(Map.of("16385", "/x"), null),
                ROOT)).isInstanceOf(UserError.class)
                .satisfies(e -> assertThat(((UserError) e).hint()).contains("map by OID"));
        assertThatThrownBy(() -> map(List.of("fast=relative/dir"), null)).isInstanceOf(UserError.class)
                .hasMessageContaining("is not an absolute path");
        assertThatThrownBy(() -> map(List.of("fast"), null)).isInstanceOf(UserError.class)
                .hasMessageContaining("is not NAME=DIR or OID=DIR");
        assertThatThrownBy(() -> map(List.of("fast=/mnt/a", "fast=/mnt/b"), null)).isInstanceOf(UserError.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> map(List.of("fast=/mnt/a", "16385=/mnt/b"), null).locations(BACKUP, ROOT))
                .isInstanceOf(UserError.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> map(List.of("fast=/mnt/a", "slow=/mnt/a/b"), null).locations(BACKUP, ROOT))
                .isInstanceOf(UserError.class).hasMessageContaining("one inside the other");
        assertThatThrownBy(() -> map(List.of("fast=/srv/restored/ts"), null).locations(BACKUP, ROOT))
                .isInstanceOf(UserError.class).hasMessageContaining("overlaps the data directory");
    }

    @Test
    @DisplayName("tablespace_map lists each OID with its new location, a line break in a path escaped")
    void tablespaceMapFile() {
        assertThat(TablespaceMapping.tablespaceMapFile(map(List.of("fast=/mnt/a"), null).locations(BACKUP, ROOT)))
                .isEqualTo("16385 /mnt/a\n16386 /srv/ts/slow\n");
        assertThat(TablespaceMapping.tablespaceMapFile(Map.of("1", Path.of("/a\nb")))).isEqualTo("1 /a\\\nb\n");
    }

    private static TablespaceMapping map(List<String> maps, String all) {
        return TablespaceMapping.parse(maps, Optional.ofNullable(all).map(Path::of));
    }

    private static BackupManifest backup(Map<String, String> tablespaces, Map<String, String> names) {
        return new BackupManifest(BackupManifest.FORMAT, "20260101T000000Z", "1", 150000, 1, "0/2000028",
                "0/3000100", "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z", 16 << 20, "zstd", null, null,
                tablespaces, List.of(), List.of(), names);
    }
}
