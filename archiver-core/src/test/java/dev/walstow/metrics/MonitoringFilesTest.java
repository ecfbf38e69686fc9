package dev.walstow.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The alert rules and the dashboard shipped in packaging/src/main/dist/monitoring. */
class MonitoringFilesTest {
    private static final Path MONITORING = Path.of("..", "packaging", "src", "main", "dist", "monitoring");

    /** Alert name to its rule. */
    private static Map<String, JsonNode> alerts() throws IOException {
        JsonNode file = new YAMLMapper().readTree(MONITORING.resolve("walstow-alerts.yml").toFile());
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode group : file.required("groups")) {
            for (JsonNode rule : group.required("rules")) {
                assertThat(alerts.put(rule.required("alert").asText(), rule)).as("alert names are unique").isNull();
            }
        }
        return alerts;
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(MONITORING.resolve("walstow-dashboard.json").toFile());
    }

    private static List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard().required("panels")) {
            panel.required("targets").forEach(t -> queries.add(t.required("expr").asText()));
        }
        return queries;
    }

    @Test
    @DisplayName("every alert rule has an expression, a severity of warning or critical and a summary")
    void alertRulesAreComplete() throws IOException {
        Map<String, JsonNode> alerts = alerts();
        assertThat(alerts).hasSizeGreaterThan(5);
        alerts.forEach((name, rule) -> {
            assertThat(rule.path("expr").asText()).as(name).isNotBlank();
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
        });
    }

    @Test
    @DisplayName("alerts fire on no backup for 26 h (none at all included), a failed verify and a failed expire")
    void backupVerifyExpireAlerts() throws IOException {
        Map<String, JsonNode> alerts = alerts();
        assertThat(alerts.get("WalstowNoRecentBackup").path("expr").asText())
                .isEqualTo("time() - walstow_backup_last_success_timestamp_seconds > 26 * 3600");
        assertThat(alerts.get("WalstowVerifyFailed").path("expr").asText())
                .isEqualTo("walstow_verify_last_success == 0");
        assertThat(alerts.get("WalstowExpireFailed").path("expr").asText())
                .isEqualTo("walstow_expire_last_success == 0");
        assertThat(alerts).containsKeys("WalstowVerifyNotRunning", "WalstowExpireNotRunning");
    }

    @Test
    @DisplayName("the dashboard's panels have unique ids and do not overlap on its 24-column grid")
    void dashboardLayout() throws IOException {
        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        for (JsonNode panel : dashboard().required("panels")) {
            String title = panel.required("title").asText();
            assertThat(ids.add(panel.required("id").asInt())).as("id of " + title).isTrue();
            JsonNode at = panel.required("gridPos");
            int x = at.required("x").asInt();
            int w = at.required("w").asInt();
            assertThat(x + w).as(title).isLessThanOrEqualTo(24);
            for (int col = x; col < x + w; col++) {
                for (int row = at.required("y").asInt(); row < at.required("y").asInt() + at.required("h").asInt();
                        row++) {
                    assertThat(cells.add(col + "," + row)).as(title + " overlaps another panel").isTrue();
                }
            }
        }
    }

    @Test
    @DisplayName("every backup, expire and verify gauge is shown on the dashboard")
    void repositoryFactsOnTheDashboard() throws IOException {
        String queries = String.join("\n", dashboardQueries());
        Set<String> facts = WalstowMetricsTest.families(WalstowMetricsTest.withEveryEvent().scrape()).keySet()
                .stream().filter(n -> n.matches("walstow_(backup|expire|verify)_.*") && !n.endsWith("_info"))
                .collect(java.util.stream.Collectors.toSet());
        assertThat(facts).hasSize(8);
        facts.forEach(name -> assertThat(queries).as("a panel shows " + name).contains(name + "{"));
    }
}
