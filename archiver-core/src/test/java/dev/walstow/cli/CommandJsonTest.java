package dev.walstow.cli;

import static dev.walstow.cli.JsonDocument.assertIntegers;
import static dev.walstow.cli.JsonDocument.keys;
import static dev.walstow.cli.PosixTestRepository.segment;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.backup.BackupRun;
import dev.walstow.backup.BackupType;
import dev.walstow.runtime.Json;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output json} of info, expire, verify, restore, check and backup, in-process on a posix repository: one
 * document on stdout, its keys, and its types (integers as integral numbers, unknowns as null). docs/json.md.
 */
class CommandJsonTest {
    @TempDir
    Path temp;
    private PosixTestRepository repo;
    private BackupManifest older;
    private BackupManifest newer;

    @BeforeEach
    void repository() throws IOException {
        repo = PosixTestRepository.create(temp, """
                [backup]
                retention-full = 1
                [metrics]
                enabled = false
                """);
        older = repo.backup(2, 3, "2026-01-01T10:00:00Z");
        newer = repo.backup(8, 9, "2026-01-01T12:00:00Z");
        repo.segments(2, 5);
        repo.segments(8, 10);
    }

    private Cli run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = repo.config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @Test
    @DisplayName("info: the cluster as typed fields, backups with integer sizes, WAL ranges and gaps as first/last")
    void info() {
        Cli info = run("info", "--output", "json");
        assertThat(info.exit()).as(info.toString()).isZero();
        JsonNode doc = JsonDocument.parse(info.out());

        assertThat(keys(doc)).containsExactly("walstow_json", "repository", "cluster", "backups", "timelines",
                "oldest_recoverable_time", "newest_segment", "newest_segment_stored", "newest_segment_age_seconds",
                "running");
        assertThat(doc.at("/cluster/system_identifier").isTextual()).isTrue();
        assertThat(doc.at("/cluster/system_identifier").asText()).isEqualTo(PosixTestRepository.SYSTEM);
        assertIntegers(doc.get("cluster"), "pg_major", "wal_segment_size");
        assertThat(doc.at("/cluster/wal_segment_size").longValue()).isEqualTo(16 << 20);
        JsonNode backup = doc.at("/backups/0");
        assertThat(keys(backup)).containsExactly("label", "timeline", "start_lsn", "stop_lsn", "start_time",
                "stop_time", "bytes", "files", "type", "reference", "read_bytes", "stored_bytes", "changed_bytes");
        assertIntegers(backup, "timeline", "bytes", "files");
        assertThat(backup.get("type").asText()).isEqualTo("full");
        assertThat(backup.get("reference").isNull()).isTrue();
        assertThat(backup.get("stored_bytes").isNull()).as("a manifest without stats").isTrue();
        assertThat(backup.get("start_lsn").asText()).isEqualTo("0/2000028");
        assertThat(backup.get("stop_time").asText()).isEqualTo("2026-01-01T10:00:00Z");
        assertThat(doc.at("/timelines/0/timeline").isIntegralNumber()).isTrue();
        assertThat(doc.at("/timelines/0/ranges/1/first").asText()).isEqualTo(segment(8));
        assertThat(doc.at("/timelines/0/gaps/0/first").asText()).isEqualTo(segment(6));
        assertThat(doc.at("/timelines/0/gaps/0/last").asText()).isEqualTo(segment(7));
        assertThat(doc.get("newest_segment").asText()).isEqualTo(segment(10));
        assertThat(doc.get("newest_segment_age_seconds").isIntegralNumber()).isTrue();

        assertThat(run("info").out()).as("the text stays as it was")
                .contains("timeline 1: " + segment(2) + "-" + segment(5) + ", " + segment(8) + "-" + segment(10)
                        + "  GAPS: " + segment(6) + "-" + segment(7));
    }

    @Test
    @DisplayName("expire: the plan with integer counts; --dry-run has deleted null, a run the counts it deleted")
    void expire() {
        Cli dry = run("expire", "--dry-run", "--output", "json");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        JsonNode plan = JsonDocument.parse(dry.out());
        assertThat(keys(plan)).containsExactly("walstow_json", "dry_run", "policy", "kept", "expired",
                "wal_kept_from", "wal", "failed_backups", "failed_backups_left", "deleted", "abandoned_uploads");
        assertThat(plan.get("dry_run").booleanValue()).isTrue();
        assertThat(plan.get("deleted").isNull()).isTrue();
        assertIntegers(plan.get("policy"), "retention_full", "retention_diff", "retention_window_seconds",
                "failed_backup_age_seconds");
        assertThat(keys(plan.at("/kept/0"))).containsExactly("label", "type", "reference", "stop_time", "reason");
        assertThat(plan.at("/kept/0/type").asText()).isEqualTo("full");
        assertThat(plan.at("/kept/0/reference").isNull()).isTrue();
        assertThat(plan.at("/kept/0/label").asText()).isEqualTo(newer.label());
        assertThat(plan.at("/expired/0/label").asText()).isEqualTo(older.label());
        assertIntegers(plan.at("/expired/0"), "objects");
        assertThat(plan.at("/expired/0/objects").intValue()).as("backup_label, one part, the manifest").isEqualTo(3);
        assertThat(plan.at("/wal_kept_from/lsn").asText()).isEqualTo(newer.startLsn());
        assertThat(plan.at("/wal_kept_from/backup").asText()).isEqualTo(newer.label());
        assertIntegers(plan.at("/wal/0"), "timeline", "files");
        assertThat(plan.at("/wal/0/first").asText()).isEqualTo(segment(2));
        assertThat(plan.at("/wal/0/files").intValue()).isEqualTo(4);
        assertIntegers(plan.get("abandoned_uploads"), "older_than_seconds", "count");
        assertThat(repo.root.resolve(BackupLayout.manifestKey(older.label()))).as("a dry run").exists();

        Cli real = run("expire", "--output", "json");
        assertThat(real.exit()).as(real.toString()).isZero();
        JsonNode done = JsonDocument.parse(real.out());
        assertThat(JsonDocument.paths(done)).as("the same shape as the dry run's, deleted filled in")
                .containsAll(JsonDocument.paths(plan));
        assertThat(done.get("dry_run").booleanValue()).isFalse();
        assertIntegers(done.get("deleted"), "backups", "failed_backups", "objects", "wal_files");
        assertThat(done.at("/deleted/backups").intValue()).isEqualTo(1);
        assertThat(done.at("/deleted/wal_files").intValue()).isEqualTo(4);
        assertThat(repo.root.resolve(BackupLayout.manifestKey(older.label()))).doesNotExist();
    }

    @Test
    @DisplayName("verify: ok with the count of intact objects; a missing object gives ok false in the document and "
            + "still the exit code and one error line")
    void verify() throws IOException {
        repo.segments(6, 7); // no WAL gap
        Cli clean = run("verify", "--output", "json");
        assertThat(clean.exit()).as(clean.toString()).isZero();
        JsonNode ok = JsonDocument.parse(clean.out());
        assertThat(keys(ok)).containsExactly("walstow_json", "ok", "objects_intact", "missing", "corrupt",
                "wal_gaps", "broken_chains");
        assertThat(ok.get("ok").booleanValue()).isTrue();
        assertIntegers(ok, "objects_intact");
        assertThat(ok.get("objects_intact").intValue()).as("2 backups of 2 objects, 9 segments").isEqualTo(13);

        String part = BackupLayout.partKey(newer.label(), 0, 0);
        repo.repository.store().delete(part);
        Cli broken = run("verify", "--output", "json");
        assertThat(broken.exit()).as(broken.toString()).isEqualTo(9);
        assertThat(broken.err()).contains("[WS-INTEGRITY]");
        JsonNode bad = JsonDocument.parse(broken.out());
        assertThat(bad.get("ok").booleanValue()).isFalse();
        assertThat(bad.get("missing")).extracting(JsonNode::asText).containsExactly(part);
        assertThat(bad.get("objects_intact").intValue()).isEqualTo(12);
    }

    @Test
    @DisplayName("restore --dry-run: the chosen backup, the WAL checked and the target; byte counts null")
    void restoreDryRun() {
        Cli dry = run("restore", "--pgdata", temp.resolve("restored").toString(), "--target", "immediate",
                "--set", older.label(), "--dry-run", "--output", "json");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        JsonNode doc = JsonDocument.parse(dry.out());
        assertThat(keys(doc)).containsExactly("walstow_json", "dry_run", "pgdata", "backup", "wal", "target",
                "bytes_fetched", "bytes_reused", "bytes_per_second");
        assertThat(doc.get("dry_run").booleanValue()).isTrue();
        assertThat(doc.at("/backup/label").asText()).isEqualTo(older.label());
        assertIntegers(doc.get("backup"), "timeline", "bytes", "files");
        assertThat(doc.at("/wal/first").asText()).isEqualTo(segment(2));
        assertThat(doc.at("/wal/last").asText()).isEqualTo(segment(3));
        assertThat(doc.at("/target/kind").asText()).isEqualTo("immediate");
        assertThat(doc.at("/target/value").isNull()).isTrue();
        assertThat(doc.at("/target/timeline").asText()).isEqualTo("latest");
        assertThat(doc.at("/target/action").isNull()).isTrue();
        assertThat(doc.get("bytes_fetched").isNull()).isTrue();
        assertThat(temp.resolve("restored")).doesNotExist();
    }

    @Test
    @DisplayName("check: every step in order with ok, fail or skip, the failure as its one line; exit 1")
    void check() {
        Cli check = run("check", "--timeout", "1s", "--output", "json");
        assertThat(check.exit()).as(check.toString()).isEqualTo(1);
        JsonNode doc = JsonDocument.parse(check.out());
        assertThat(keys(doc)).containsExactly("walstow_json", "ok", "failures", "steps");
        assertThat(doc.get("ok").booleanValue()).isFalse();
        assertIntegers(doc, "failures");
        assertThat(doc.get("failures").intValue()).isEqualTo(1);
        assertThat(doc.get("steps")).extracting(s -> s.get("status").asText())
                .containsExactly("ok", "ok", "skip", "ok", "fail", "skip");
        assertThat(doc.at("/steps/0/message").asText()).startsWith("configuration ");
        assertThat(doc.at("/steps/1/message").asText()).startsWith("keys: ");
        assertThat(doc.at("/steps/2/message").asText()).startsWith("daemon RPO exposure: ");
        assertThat(doc.at("/steps/4/message").asText()).contains("cannot connect to PostgreSQL", "HINT:");
    }

    @Test
    @DisplayName("check: a bad --timeout is a failed step of the same document")
    void checkBadTimeout() {
        Cli check = run("check", "--timeout", "soon", "--output", "json");
        assertThat(check.exit()).isEqualTo(1);
        JsonNode doc = JsonDocument.parse(check.out());
        assertThat(doc.get("steps")).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("fail");
            assertThat(s.get("message").asText()).startsWith("--timeout 'soon' is not a duration HINT:");
        });
    }

    @Test
    @DisplayName("a backup's type and reference are lowercase words and a label, its sizes integers")
    void incrementalBackup() throws IOException {
        BackupManifest incr = newer.withChain(BackupType.INCR, older.label(), 8192, "page-scan",
                new BackupManifest.Stats(3_000_000, 4_096, 16_384));
        JsonNode doc = new ObjectMapper().readTree(Json.write(InfoJson.Backup.of(incr))); // a part of a document
        assertThat(doc.get("type").asText()).isEqualTo("incr");
        assertThat(doc.get("reference").asText()).isEqualTo(older.label());
        assertIntegers(doc, "read_bytes", "stored_bytes", "changed_bytes");
        assertThat(doc.get("changed_bytes").longValue()).isEqualTo(16_384);
    }

    @Test
    @DisplayName("backup: the backup as info lists it and the rate as integer bytes per second")
    void backup() {
        JsonNode doc = JsonDocument.parse(Json.write(BackupJson.of(new BackupRun.Outcome(newer, 3, 12.5,
                new dev.walstow.backup.ReferenceChoice.Decision(dev.walstow.backup.BackupType.FULL,
                        java.util.Optional.empty(), "--type full"), java.util.Optional.empty()))));
        assertThat(keys(doc)).containsExactly("walstow_json", "backup", "bytes_per_second");
        assertThat(keys(doc.get("backup"))).containsExactly("label", "timeline", "start_lsn", "stop_lsn",
                "start_time", "stop_time", "bytes", "files", "type", "reference", "read_bytes", "stored_bytes",
                "changed_bytes");
        assertThat(doc.at("/backup/stop_lsn").asText()).isEqualTo(newer.stopLsn());
        assertIntegers(doc, "bytes_per_second");
        assertThat(doc.get("bytes_per_second").longValue()).isEqualTo(12_500_000L);
    }
}
