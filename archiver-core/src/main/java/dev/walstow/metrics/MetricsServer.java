package dev.walstow.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.config.WalstowConfig.MetricsConfig;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoint: {@code GET /metrics} (Prometheus text format) and {@code GET /status} (the JSON
 * {@code walstow status} prints). The JDK's server is enough for a scrape every few seconds and adds no
 * dependency; it binds where {@code [metrics] listen} says, loopback by default, since it has no authentication.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving. An address it cannot bind (a port in use, above all: another program's, or the daemon
     * of another cluster on this host) is a configuration problem: {@code WS-CONFIG}, which {@code walstow daemon}
     * exits with 3, a status the systemd units do not restart (restarting cannot free the port).
     *
     * @param configFile the configuration file that names the address, for the hint
     */
    public static MetricsServer start(MetricsConfig config, Path configFile, WalstowMetrics metrics,
            Supplier<String> statusJson) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        } catch (BindException e) {
            throw cannotBind(config, configFile, e);
        } catch (IOException e) {
            throw UserError.config("cannot listen on " + config.listen() + " for metrics: " + Failures.describe(e),
                    "set [metrics] listen in " + configFile + " to an address of this host and a free port, or "
                            + "[metrics] enabled = false");
        }
        // One thread: scrapes are rare and cheap; a slow client cannot take more than this from the daemon.
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("walstow-metrics-http").daemon().factory());
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> answer(exchange,
                "text/plain; version=0.0.4; charset=utf-8", metrics::scrape));
        server.createContext("/status", exchange -> answer(exchange, "application/json", statusJson));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        LOG.info("metrics on http://{}/metrics, status on /status", config.listen());
        return new MetricsServer(server, executor);
    }

    static UserError cannotBind(MetricsConfig config, Path configFile, BindException e) {
        String why = e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("in use")
                ? "the port is already in use (by another program, or by the walstow daemon of another cluster on "
                        + "this host)"
                : Failures.describe(e);
        return new UserError(ErrorCode.CONFIG, "cannot listen on " + config.listen() + " for metrics: " + why,
                "give each daemon a free port of its own with [metrics] listen in " + configFile
                        + " (e.g. 127.0.0.1:9754 for a second cluster), or set [metrics] enabled = false", e);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, String contentType, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes;
            try {
                bytes = body.get().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                LOG.error("cannot render {}: {}", exchange.getRequestURI(), e.toString(), e);
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
