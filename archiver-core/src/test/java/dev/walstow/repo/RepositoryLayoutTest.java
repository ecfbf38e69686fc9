package dev.walstow.repo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.storage.ObjectKey;
import dev.walstow.wal.WalFileName;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepositoryLayoutTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @DisplayName("the object key follows from the WAL file name alone and is a valid store key")
    @CsvSource({
        "000000010000000000000001, wal/0000000100000000/000000010000000000000001",
        "00000002000000A3000000FF, wal/00000002000000A3/00000002000000A3000000FF",
        "000000010000000000000005.partial, wal/0000000100000000/000000010000000000000005.partial",
        "000000010000000000000002.00000028.backup, wal/0000000100000000/000000010000000000000002.00000028.backup",
        "00000002.history, wal/history/00000002.history"
    })
    void keys(String name, String key) throws Exception {
        assertThat(RepositoryLayout.keyOf(WalFileName.parse(name))).isEqualTo(key);
        assertThat(ObjectKey.validate(key)).isEqualTo(key);
    }
}
