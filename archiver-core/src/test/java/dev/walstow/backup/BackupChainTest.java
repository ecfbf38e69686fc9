package dev.walstow.backup;

import static dev.walstow.backup.Manifests.full;
import static dev.walstow.backup.Manifests.incremental;
import static dev.walstow.backup.Manifests.of;
import static dev.walstow.backup.Manifests.unchanged;
import static dev.walstow.backup.Manifests.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.error.DataError;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackupChainTest {
    static final String F = "20260101T000000Z";
    static final String I1 = "20260101T060000Z";
    static final String I2 = "20260101T120000Z";
    static final String FILE = "base/5/16384";

    private final BackupManifest full = full(F, 1, "0/1000000", whole(F, FILE, 3 * 8192), whole(F, "PG_VERSION", 3));
    private final BackupManifest incr1 = of(BackupType.INCR, I1, F, "0/2000000", incremental(I1, FILE, 4 * 8192),
            whole(I1, "PG_VERSION", 3));
    private final BackupManifest incr2 = of(BackupType.INCR, I2, I1, "0/3000000", unchanged(FILE, 4 * 8192),
            whole(I2, "PG_VERSION", 3));

    @Test
    @DisplayName("a chain runs from the newest backup to its full, and a file's layers skip unchanged versions")
    void resolvesLayers() {
        BackupChain chain = BackupChain.of(incr2, lookup(full, incr1));
        assertThat(chain.labels()).containsExactly(I2, I1, F);
        BackupChain.FileLayers layers = chain.layers(incr2.file(FILE).orElseThrow());
        assertThat(layers.length()).isEqualTo(4 * 8192);
        assertThat(layers.increments()).extracting(l -> l.backup().label()).containsExactly(I1);
        assertThat(layers.base().backup().label()).isEqualTo(F);
        assertThat(chain.layers(incr2.file("PG_VERSION").orElseThrow()).whole()).isTrue();
    }

    @Test
    @DisplayName("a missing middle backup breaks the chain, and the message names it")
    void missingMiddle() {
        assertThatThrownBy(() -> BackupChain.of(incr2, lookup(full))).isInstanceOf(DataError.class)
                .hasMessageContaining("chain of " + I2 + " is broken").hasMessageContaining(I1)
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("a file kept as unchanged that no older backup holds breaks the chain")
    void fileWithoutWholeCopy() {
        BackupManifest odd = of(BackupType.INCR, I1, F, "0/2000000", unchanged("base/5/99999", 8192));
        assertThatThrownBy(() -> BackupChain.of(odd, lookup(full))).isInstanceOf(DataError.class)
                .hasMessageContaining("base/5/99999");
    }

    @Test
    @DisplayName("a reference that is not older than the backup naming it is refused (no cycles)")
    void noCycles() {
        BackupManifest loop = of(BackupType.INCR, I1, I2, "0/2000000");
        assertThatThrownBy(() -> BackupChain.of(loop, lookup(incr2))).isInstanceOf(DataError.class)
                .hasMessageContaining("not an older backup");
    }

    static Function<String, Optional<BackupManifest>> lookup(BackupManifest... backups) {
        Map<String, BackupManifest> byLabel = List.of(backups).stream()
                .collect(Collectors.toMap(BackupManifest::label, Function.identity()));
        return label -> Optional.ofNullable(byLabel.get(label));
    }
}
