package dev.walstow.cli;

import dev.walstow.agent.Failures;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.metrics.StatusReport;
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

    /** The report and its JSON as the daemon sent it, or why there is none. */
    record Answer(Optional<StatusReport> report, String json, String problem) {}

    private DaemonStatusClient() {}

    static Answer ask(MetricsConfig metrics) {
        if (!metrics.enabled()) {
            return new Answer(Optional.empty(), null, "[metrics] enabled = false: the daemon serves no status");
        }
        String host = metrics.host().equals("0.0.0.0") ? "127.0.0.1" : metrics.host().equals("::") ? "::1"
                : metrics.host();
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + metrics.port()
                + "/status");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return new Answer(Optional.empty(), null, uri + " answered HTTP " + r.statusCode());
            }
            return new Answer(Optional.of(StatusReport.fromJson(r.body())), r.body(), null);
        } catch (IOException e) {
            return new Answer(Optional.empty(), null, NO_DAEMON + uri + " (" + Failures.describe(e)
                    + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Optional.empty(), null, "interrupted");
        }
    }
}
