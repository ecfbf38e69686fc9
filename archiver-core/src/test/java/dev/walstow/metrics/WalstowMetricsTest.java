package dev.walstow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.agent.ErrorCode;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalFileName;
import dev.walstow.wal.WalSegmentSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WalstowMetricsTest {
    /** docs/metrics.md, from the module directory Maven runs tests in. */
    private static final Path DOC = Path.of("..", "docs", "metrics.md");

    private static final WalSegmentSize MIB16 = WalSegmentSize.DEFAULT;

    static WalstowMetrics withEveryEvent() {
        WalstowMetrics m = new WalstowMetrics();
        m.archived(seg("000000010000000000000002"), MIB16, 16 << 20, 4 << 20, Duration.ofMillis(30));
        m.downloaded(16 << 20, Duration.ofMillis(20));
        m.failed("push", "000000010000000000000003", ErrorCode.STORAGE, "[WS-STORAGE] store down");
        m.retried("push");
        m.prefetch(true);
        m.prefetch(false);
        m.walSwitched();
        m.rpoBreached();
        m.repositoryFacts(REPOSITORY, FACTS);
        return m;
    }

    private static final String REPOSITORY = "0123456789abcdef";
    private static final RepositoryFacts FACTS = new RepositoryFacts(
            Optional.of(new RepositoryFacts.LastBackup("20260121T130000Z", Instant.parse("2026-01-21T13:20:30Z"),
                    5_000_000_000L, Duration.ofSeconds(1230), "full")),
            Optional.of(new RepositoryFacts.LastRun(Instant.parse("2026-01-21T15:00:00Z"), true, 0)),
            Optional.of(new RepositoryFacts.LastRun(Instant.parse("2026-01-20T03:00:12Z"), false, 3)));

    /** Metric families in a scrape, by name, with their Prometheus type. */
    static Map<String, String> families(String scrape) {
        Map<String, String> types = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(scrape);
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
        return types;
    }

    @Test
    @DisplayName("the scrape has exactly the metric families docs/metrics.md lists, with the documented types")
    void namesMatchTheDocumentation() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `(walstow_[a-z_]+)` \\| (counter|gauge|histogram) \\|")
                .matcher(Files.readString(DOC));
        while (m.find()) {
            documented.put(m.group(1), m.group(2));
        }
        assertThat(families(withEveryEvent().scrape())).isEqualTo(documented);
    }

    @Test
    @DisplayName("the shipped alert rules and dashboard use only documented metric names")
    void monitoringUsesDocumentedNames() throws IOException {
        Map<String, String> scraped = families(withEveryEvent().scrape());
        Path monitoring = Path.of("..", "packaging", "src", "main", "dist", "monitoring");
        for (String file : new String[] {"walstow-alerts.yml", "walstow-dashboard.json"}) {
            Matcher m = Pattern.compile("walstow_[a-z_]+").matcher(Files.readString(monitoring.resolve(file)));
            int found = 0;
            while (m.find()) {
                found++;
                String family = m.group().replaceFirst("_bucket$", "");
                assertThat(scraped).as(file + " uses " + m.group()).containsKey(family);
            }
            assertThat(found).as(file).isGreaterThan(5);
        }
    }

    @Test
    @DisplayName("an upload moves bytes, count, latency, ratio and the last archived segment")
    void uploadIsCounted() {
        WalstowMetrics m = withEveryEvent();
        m.archived(seg("000000010000000000000001"), MIB16, 16 << 20, -1, Duration.ofMillis(5));
        String s = m.scrape();
        assertThat(s).contains("walstow_upload_bytes_total 4194304.0", "walstow_archived_wal_bytes_total 3.3554432E7",
                "walstow_archived_segments_total 2.0", "walstow_compression_ratio 4.0",
                "walstow_last_archived_position_bytes 5.0331648E7",
                "walstow_upload_duration_seconds_bucket{le=\"0.05\"} 2",
                "walstow_failures_total{kind=\"storage\",operation=\"push\"} 1.0",
                "walstow_prefetch_hits_total 1.0", "walstow_prefetch_misses_total 1.0");
        assertThat(m.recentErrors()).singleElement().satisfies(e -> assertThat(e.kind()).isEqualTo("WS-STORAGE"));
    }

    @Test
    @DisplayName("the last archived position is the end of the newest segment, whatever order uploads finish in")
    void lastArchivedIsTheNewest() {
        WalstowMetrics m = new WalstowMetrics();
        m.archived(seg("000000010000000100000007"), MIB16, 1, 1, Duration.ZERO);
        m.archived(seg("000000010000000100000006"), MIB16, 1, 1, Duration.ZERO);
        m.archived(WalFileName.parse("00000002.history"), MIB16, 1, 1, Duration.ZERO);
        assertThat(m.scrape()).contains("walstow_last_archived_position_bytes " + (double) ((1L << 32) + 8 * MIB16
                .bytes()));
        assertThat(m.lastArchived().segment()).isEqualTo("000000010000000100000007");
    }

    @Test
    @DisplayName("archiving a thousand segments leaves one series per last-archived metric, none naming a segment")
    void lastArchivedIsOneSeries() {
        WalstowMetrics m = new WalstowMetrics();
        for (int i = 1; i <= 1000; i++) {
            m.archived(SegmentName.of(new TimelineId(1), i, MIB16), MIB16, 1, 1, Duration.ZERO);
        }
        String scrape = m.scrape();
        assertThat(scrape).doesNotContain("segment=", "00000001000000");
        assertThat(scrape.lines().filter(l -> l.startsWith("walstow_last_archived"))).hasSize(2);
        assertThat(scrape).contains("walstow_last_archived_position_bytes " + (double) (1001L * MIB16.bytes()));
        assertThat(m.lastArchived().segment()).isEqualTo("0000000100000003000000E8");
    }

    @Test
    @DisplayName("backup, expire and verify facts are gauges labelled by the repository only")
    void repositoryFactsAreGauges() {
        WalstowMetrics m = new WalstowMetrics();
        m.repositoryFacts(REPOSITORY, FACTS);
        String r = "{repository=\"" + REPOSITORY + "\"}";
        assertThat(m.scrape()).contains(
                "walstow_backup_last_success_timestamp_seconds" + r + " 1.76900163E9",
                "walstow_backup_last_size_bytes" + r + " 5.0E9",
                "walstow_backup_last_duration_seconds" + r + " 1230.0",
                "walstow_backup_last_info{repository=\"" + REPOSITORY + "\",type=\"full\"} 1",
                "walstow_expire_last_timestamp_seconds" + r + " 1.7690076E9",
                "walstow_expire_last_success" + r + " 1.0",
                "walstow_verify_last_timestamp_seconds" + r + " 1.768878012E9",
                "walstow_verify_last_success" + r + " 0.0",
                "walstow_verify_last_problems" + r + " 3.0");
    }

    @Test
    @DisplayName("a repository without backups shows a last backup at time 0 (so 'no recent backup' fires), and no "
            + "expire or verify series until those ran")
    void noBackupYet() {
        WalstowMetrics m = new WalstowMetrics();
        assertThat(m.scrape()).doesNotContain("walstow_backup_");
        m.repositoryFacts(REPOSITORY, new RepositoryFacts(Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(m.scrape()).contains("walstow_backup_last_success_timestamp_seconds{repository=\"" + REPOSITORY
                + "\"} 0.0").doesNotContain("walstow_backup_last_info{", "walstow_expire_", "walstow_verify_");

        m.repositoryFacts(REPOSITORY, FACTS);
        m.repositoryFacts(REPOSITORY, new RepositoryFacts(FACTS.backup(), FACTS.expire(), Optional.of(
                new RepositoryFacts.LastRun(Instant.parse("2026-01-22T03:00:00Z"), true, 0))));
        String s = m.scrape();
        assertThat(s).contains("walstow_verify_last_success{repository=\"" + REPOSITORY + "\"} 1.0");
        assertThat(s.lines().filter(l -> l.startsWith("walstow_verify_last_success{"))).hasSize(1);
        assertThat(s.lines().filter(l -> l.startsWith("walstow_backup_last_info{"))).hasSize(1);
    }

    private static SegmentName seg(String name) {
        return SegmentName.parse(name);
    }
}
