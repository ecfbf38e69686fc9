package dev.walstow.daemon;

import static dev.walstow.daemon.TestWal.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.backup.BackupLayout;
import dev.walstow.backup.BackupManifest;
import dev.walstow.catalog.BackupCatalog;
import dev.walstow.catalog.RunRecord;
import dev.walstow.catalog.RunRecords;
import dev.walstow.metrics.StatusReport;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryIdentity;
import dev.walstow.storage.posix.PosixObjectStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's HTTP endpoint, scraped with a real HTTP client while the store is held and then released. */
class DaemonMetricsTest {
    @TempDir
    Path temp;
    private DaemonFixture fixture;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        fixture = new DaemonFixture(temp);
        fixture.store.hold(0);
        fixture.startWithMetrics(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        fixture.store.release();
        fixture.close();
        http.close();
    }

    private HttpResponse<String> request(String method, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.daemon().metricsPort()
                    + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private String scrape() {
        HttpResponse<String> r = request("GET", "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(
                "text/plain"));
        return r.body();
    }

    @Test
    @DisplayName("backlog and exposure rise while the store is held, the RPO is reported breached, all falls after")
    void metricsFollowTheStore() throws Exception {
        for (int i = 1; i <= 3; i++) {
            fixture.ready(seg(1, i), i);
        }
        DaemonFixture.await("backlog of 3 and a breached RPO", Duration.ofSeconds(15), this::scrape,
                s -> s.contains("walstow_backlog_segments 3.0") && s.contains("walstow_rpo_breached 1.0"));
        StatusReport held = StatusReport.fromJson(request("GET", "/status").body());
        assertThat(held.rpo().breached()).isTrue();
        assertThat(held.rpo().exposureSeconds()).isGreaterThan(2);
        assertThat(held.backlog().files()).isEqualTo(3);
        assertThat(held.rpo().guard()).isEqualTo("disabled");

        fixture.store.release();
        DaemonFixture.await("the pushes to finish", Duration.ofSeconds(15), () -> fixture.store.putsFinished.get() >= 3);
        for (int i = 1; i <= 3; i++) {
            DaemonFixture.assertOk(fixture.push(seg(1, i))); // PostgreSQL's call: then it renames .ready to .done
            java.nio.file.Files.move(fixture.pgWal("archive_status/" + seg(1, i).fileName() + ".ready"),
                    fixture.pgWal("archive_status/" + seg(1, i).fileName() + ".done"));
        }
        DaemonFixture.await("backlog gone and RPO held", Duration.ofSeconds(15), this::scrape,
                s -> s.contains("walstow_backlog_segments 0.0") && s.contains("walstow_rpo_breached 0.0"));
        String after = scrape();
        assertThat(after).contains("walstow_archived_segments_total 3.0", "walstow_rpo_breaches_total 1.0",
                "walstow_last_archived_position_bytes " + (double) (4 * TestWal.SIZE.bytes()),
                "walstow_upload_duration_seconds_count 3");
        assertThat(StatusReport.fromJson(request("GET", "/status").body()).archived().lastSegment())
                .isEqualTo(seg(1, 3).fileName());
    }

    @Test
    @DisplayName("the scrape shows the repository's last backup at 0 until a backup is recorded, then that backup, "
            + "and the last verify once one is recorded")
    void backupAndVerifyFromTheRepository() {
        String repository = "{repository=\"" + RepositoryIdentity.of(fixture.repository.location(),
                fixture.repository.requireBinding()) + "\"}";
        DaemonFixture.await("the repository read", Duration.ofSeconds(15), this::scrape,
                s -> s.contains("walstow_backup_last_success_timestamp_seconds" + repository + " 0.0"));
        assertThat(scrape()).doesNotContain("walstow_verify_last");

        // As walstow backup and verify would, from another process: not through the daemon's (held) store.
        Repository other = new Repository(new PosixObjectStore(fixture.repoDir));
        Instant start = Instant.parse("2026-01-21T13:00:00Z");
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT, BackupLayout.labelFor(start), "7", 150000, 1,
                "0/2000028", "0/3000100", start.toString(), start.plusSeconds(90).toString(), 1 << 20, "zstd", null,
                null, Map.of(), List.of(), List.of(new BackupManifest.FileEntry("base/1/1", 8192, "600", List.of())));
        BackupCatalog.write(other, m);
        RunRecords.write(other, RunRecord.backup(m, start, start.plusSeconds(120)));
        RunRecords.write(other, RunRecord.of(RunRecords.Kind.VERIFY, start.plusSeconds(200), start.plusSeconds(300),
                true, 0, "verify: fine"));

        DaemonFixture.await("the new records read", Duration.ofSeconds(15), this::scrape,
                s -> s.contains("walstow_verify_last_success" + repository + " 1.0"));
        assertThat(scrape()).contains(
                "walstow_backup_last_success_timestamp_seconds" + repository + " " + (double) start.plusSeconds(90)
                        .getEpochSecond(),
                "walstow_backup_last_size_bytes" + repository + " 8192.0",
                "walstow_backup_last_duration_seconds" + repository + " 90.0",
                "walstow_verify_last_problems" + repository + " 0.0");
    }

    @Test
    @DisplayName("the endpoint answers only GET/HEAD on /metrics and /status")
    void onlyTheDocumentedPaths() {
        assertThat(request("GET", "/secrets").statusCode()).isEqualTo(404);
        assertThat(request("POST", "/metrics").statusCode()).isEqualTo(405);
        assertThat(request("HEAD", "/status").statusCode()).isEqualTo(200);
    }
}
