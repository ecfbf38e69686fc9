package dev.walstow.cli;

import dev.walstow.agent.Failures;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.metrics.StatusReport;
import dev.walstow.runtime.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks a running daemon for its {@code /status} over the metrics endpoint. Why HTTP and not the agent socket: the
 * endpoint already exists for Prometheus, any tool (curl) can read the same JSON, and the agent protocol stays
 * the small, JDK-only, latency-critical thing archive-push and archive-get need.
 */
final class DaemonStatusClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** How {@link Answer#problem()} begins when nothing answers: no daemon runs (or another port is configured). */
    static final String NO_DAEMON = "no daemon answers on ";

    /** The daemon's report, or why there is none. */
    record Answer(Optional<StatusReport> report, String problem) {}

    private DaemonStatusClient() {}

    static Answer ask(MetricsConfig metrics) {
        if (!metrics.enabled()) {
            return new Answer(Optional.empty(), "[metrics] enabled = false: the daemon serves no status");
        }
        String host = metrics.host().equals("0.0.0.0") ? "127.0.0.1" : metrics.host().equals("::") ? "::1"
                : metrics.host();
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + metrics.port()
                + "/status");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new Answer(Optional.empty(), uri + " answered HTTP " + r.statusCode());
            }
            StatusReport report = StatusReport.fromJson(r.body());
            if (report.walstowJson() != Json.VERSION || report.daemon() == null) {
                return new Answer(Optional.empty(), uri + " answered a status of another walstow version "
                        + "(walstow_json " + report.walstowJson() + ", not " + Json.VERSION + "): restart the "
                        + "daemon after an upgrade");
            }
            return new Answer(Optional.of(report), null);
        } catch (IOException e) {
            return new Answer(Optional.empty(), NO_DAEMON + uri + " (" + Failures.describe(e)
                    + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Optional.empty(), "interrupted");
        }
    }
}
