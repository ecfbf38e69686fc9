package dev.walstow.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.agent.ErrorCode;
import dev.walstow.archive.Retrier;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.codec.CodecSettings;
import dev.walstow.codec.Encryption;
import dev.walstow.codec.KeyGenerator;
import dev.walstow.codec.OpenPgpKeys;
import dev.walstow.codec.WalCodec;
import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.WalstowException;
import dev.walstow.repo.BoundRepository;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Progress;
import dev.walstow.storage.InMemoryObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreRunTest {
    private static final RecoveryTarget LATEST = new RecoveryTarget(RecoveryTarget.Kind.LATEST, "", "latest",
            Optional.empty());

    @TempDir
    static Path keys;
    private static Encryption.PublicKey archiveKey;
    private static Encryption.PublicKey otherKey;

    @TempDir
    Path dir;
    private final Repository repo = new Repository(new InMemoryObjectStore());

    @BeforeAll
    static void generateKeys() {
        archiveKey = keyPair("archive");
        otherKey = keyPair("other");
    }

    private static Encryption.PublicKey keyPair(String name) {
        Path pub = keys.resolve(name + ".pub.asc");
        Path sec = keys.resolve(name + ".sec.asc");
        KeyGenerator.generate("walstow test <" + name + "@example.org>", Optional.empty(), pub, sec);
        return new Encryption.PublicKey(OpenPgpKeys.readRecipient(pub),
                Optional.of(OpenPgpKeys.readSecret(sec, Optional.empty())));
    }

    @Test
    @DisplayName("without a secret key, restore fails with a WS-KEY error before writing: an absent directory "
            + "stays absent, an empty one stays empty")
    void noSecretKeyWritesNothing() throws IOException {
        stored();
        Path absent = dir.resolve("absent");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path tablespace = dir.resolve("ts");
        WalCodec noSecret = codec(archiveKey.withoutSecret());
        for (Path target : List.of(absent, empty)) {
            assertThatThrownBy(() -> run(noSecret, request(target, TablespaceMapping.parse(
                    List.of("fast=" + tablespace), Optional.empty()), settings("recovery"))))
                    .isInstanceOfSatisfying(WalstowException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                        assertThat(e.oneLine()).contains("no [encryption] secret configured")
                                .doesNotContain("Exception", "reachable", "incomplete");
                    });
        }
        assertThat(absent).doesNotExist();
        assertThat(empty).isEmptyDirectory();
        assertThat(tablespace).doesNotExist();
    }

    @Test
    @DisplayName("with another secret key, restore fails with a WS-KEY error naming the key before writing")
    void wrongSecretKeyWritesNothing() throws IOException {
        stored();
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> run(codec(otherKey), request(empty, TablespaceMapping.NONE, settings("recovery"))))
                .isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                    assertThat(e.oneLine()).contains("encrypted for key ID").doesNotContain("Exception");
                });
        assertThat(empty).isEmptyDirectory();
        assertThat(dir.resolve("ts")).doesNotExist();
    }

    @Test
    @DisplayName("a restore writes the files, the tablespace at its mapped location (link and tablespace_map), the "
            + "recovery settings with archive_mode off, and recovery.signal; no marker is left")
    void restoresWithRemappedTablespace() throws IOException {
        stored();
        Path pgdata = dir.resolve("restored");
        Path moved = dir.resolve("elsewhere/fast");
        run(codec(archiveKey), request(pgdata, TablespaceMapping.parse(List.of("fast=" + moved), Optional.empty()),
                RecoverySettings.parse("recovery", Optional.empty(), "walstow archive-get %f %p",
                        List.of("recovery_end_command=echo done"))));

        assertThat(Files.readString(pgdata.resolve("PG_VERSION"))).isEqualTo("15\n");
        assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/16385"))).isEqualTo(moved);
        assertThat(Files.readString(moved.resolve("PG_15_202209061/5/16390"))).isEqualTo("a table in the tablespace");
        assertThat(dir.resolve("ts")).doesNotExist();
        assertThat(Files.readString(pgdata.resolve("tablespace_map"))).isEqualTo("16385 " + moved + "\n");
        assertThat(Files.readString(pgdata.resolve("backup_label"))).startsWith("START WAL LOCATION: 0/2000028");
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf"))).startsWith("# Do not edit")
                .contains("restore_command = 'walstow archive-get %f %p'\narchive_mode = 'off'\n"
                        + "recovery_target_timeline = 'latest'\nrecovery_end_command = 'echo done'\n");
        assertThat(pgdata.resolve("recovery.signal")).exists();
        assertThat(pgdata.resolve("standby.signal")).doesNotExist();
        assertThat(pgdata.resolve(TargetDirectory.INCOMPLETE)).doesNotExist();
        assertThat(moved.resolve(TargetDirectory.INCOMPLETE)).doesNotExist();
    }

    @Test
    @DisplayName("--type standby writes standby.signal and keeps the backup's archive settings")
    void standby() throws IOException {
        stored();
        Path pgdata = dir.resolve("standby");
        run(codec(archiveKey), request(pgdata, TablespaceMapping.parse(List.of(), Optional.of(dir.resolve("all"))),
                settings("standby")));
        assertThat(pgdata.resolve("standby.signal")).exists();
        assertThat(pgdata.resolve("recovery.signal")).doesNotExist();
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf"))).doesNotContain("archive_mode");
        assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/16385"))).isEqualTo(dir.resolve("all/fast"));
    }

    @Test
    @DisplayName("a failure after the first write says the restore is incomplete and how to go on; the same "
            + "restore run again resumes it")
    void interruptedRestoreResumes() throws IOException {
        BackupManifest backup = stored();
        // One worker: PG_VERSION is written before base/5/1259, whose object is missing, fails the restore.
        String missing = backup.files().get(1).parts().getFirst().key();
        byte[] kept = repo.store().get(missing).orElseThrow().content().readAllBytes();
        var meta = repo.store().head(missing).orElseThrow();
        repo.store().delete(missing);
        Path pgdata = dir.resolve("restored");
        RestoreRun.Request request = request(pgdata, TablespaceMapping.NONE, settings("recovery"));

        assertThatThrownBy(() -> run(codec(archiveKey), request))
                .isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.oneLine()).contains(missing + " is missing", "the restore into " + pgdata
                            + " is incomplete", "run the same walstow restore again: it resumes");
                });
        assertThat(pgdata.resolve(TargetDirectory.INCOMPLETE)).exists();
        assertThat(pgdata.resolve(RestoreRun.PG_CONTROL)).doesNotExist();
        Files.writeString(pgdata.resolve("stray"), "left by someone");

        repo.store().putIfAbsent(missing, kept, meta);
        RestoreRun.Outcome resumed = run(codec(archiveKey), request);
        assertThat(resumed.bytesReused()).isPositive();
        assertThat(Files.readString(pgdata.resolve("base/5/1259"))).isEqualTo(SyntheticBackup.FILES.get("base/5/1259"));
        assertThat(pgdata.resolve(RestoreRun.PG_CONTROL)).exists();
        assertThat(pgdata.resolve("stray")).doesNotExist();
        assertThat(pgdata.resolve(TargetDirectory.INCOMPLETE)).doesNotExist();
    }

    @Test
    @DisplayName("a non-empty directory that is not walstow's incomplete restore is refused without --delta")
    void refusesForeignDirectory() throws IOException {
        stored();
        Path pgdata = Files.createDirectory(dir.resolve("used"));
        Files.writeString(pgdata.resolve("precious"), "x");
        assertThatThrownBy(() -> run(codec(archiveKey), request(pgdata, TablespaceMapping.NONE,
                settings("recovery")))).hasMessageContaining("is not empty");
        try (Stream<Path> files = Files.list(pgdata)) {
            assertThat(files).containsExactly(pgdata.resolve("precious"));
        }
    }

    @Test
    @DisplayName("a backup larger than the free space of the target's file system is refused before writing")
    void refusesWhenItCannotFit() throws IOException {
        BackupManifest small = stored();
        List<BackupManifest.FileEntry> huge = small.files().stream().map(f -> f.path().equals("base/5/1259")
                ? new BackupManifest.FileEntry(f.path(), Long.MAX_VALUE / 4, f.mode(), f.parts()) : f).toList();
        repo.store().delete(BackupLayout.manifestKey(small.label()));
        BackupCatalog.write(repo, new BackupManifest(small.format(), small.label(), small.systemIdentifier(),
                small.pgVersionNum(), small.timeline(), small.startLsn(), small.stopLsn(), small.startTime(),
                small.stopTime(), small.walSegmentSize(), small.codec(), small.backupLabel(), small.tablespaceMap(),
                small.tablespaces(), small.directories(), huge, small.tablespaceNames()));
        Path pgdata = dir.resolve("restored");
        assertThatThrownBy(() -> run(codec(archiveKey), request(pgdata, TablespaceMapping.NONE,
                settings("recovery")))).isInstanceOfSatisfying(WalstowException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LOCAL_IO);
                    assertThat(e.getMessage()).contains("the backup needs", "nothing was written");
                });
        assertThat(pgdata).doesNotExist();
    }

    private BackupManifest stored() {
        return SyntheticBackup.store(repo, codec(archiveKey), dir.resolve("ts").toString(), 4);
    }

    private static WalCodec codec(Encryption e) {
        return new WalCodec(new CodecSettings(1, e));
    }

    private static RecoverySettings settings(String type) {
        return RecoverySettings.parse(type, Optional.empty(), "walstow archive-get %f %p", List.of());
    }

    private static RestoreRun.Request request(Path pgdata, TablespaceMapping mapping, RecoverySettings settings) {
        return new RestoreRun.Request(pgdata, LATEST, Optional.empty(), false, settings, mapping, 1);
    }

    private RestoreRun.Outcome run(WalCodec codec, RestoreRun.Request request) {
        BoundRepository bound = BoundRepository.open(repo, codec);
        return new RestoreRun(bound, new Retrier(new RetryConfig(1, Duration.ofMillis(1), Duration.ofMillis(1))))
                .run(request, Progress.silent());
    }
}
