package dev.walstow.backup.delta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RelationPathTest {

    @Test
    @DisplayName("relation files are named by tablespace, database, relation, fork and segment as RelFileLocator does")
    void parsesRelationFiles() {
        assertThat(RelationPath.parse("base/5/16384.2")).contains(
                new RelationPath(1663, 5, 16384, RelationPath.Fork.MAIN, 2));
        assertThat(RelationPath.parse("global/1262")).contains(
                new RelationPath(1664, 0, 1262, RelationPath.Fork.MAIN, 0));
        assertThat(RelationPath.parse("pg_tblspc/16400/PG_15_202209061/16401/16390_vm")).contains(
                new RelationPath(16400, 16401, 16390, RelationPath.Fork.VM, 0));
        assertThat(RelationPath.parse("base/5/16384_fsm.1").orElseThrow().fork()).isEqualTo(RelationPath.Fork.FSM);
        assertThat(RelationPath.parse("base/5/16384_init").orElseThrow().fork()).isEqualTo(RelationPath.Fork.INIT);
    }

    @Test
    @DisplayName("everything else is not a relation file and so is always stored whole")
    void otherFilesAreNot() {
        assertThat(RelationPath.parse("base/5/PG_VERSION")).isEmpty();
        assertThat(RelationPath.parse("base/5/pg_filenode.map")).isEmpty();
        assertThat(RelationPath.parse("global/pg_control")).isEmpty();
        assertThat(RelationPath.parse("pg_xact/0000")).isEmpty();
        assertThat(RelationPath.parse("base/5/t3_16384")).isEmpty();
        assertThat(RelationPath.parse("base/16384")).isEmpty();
    }
}
