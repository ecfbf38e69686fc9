package dev.walstow.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /status} answers and {@code walstow status} prints: one screen about one daemon. Times are ISO-8601
 * strings so scripts need no date library; sizes are bytes, durations seconds. Fields are only ever added.
 */
public record StatusReport(
        String version,
        long pid,
        String startedAt,
        String dataDirectory,
        String repository,
        Rpo rpo,
        Backlog backlog,
        Archived archived,
        Throughput throughput,
        List<Error> lastErrors) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** @param guard "connected", "disabled" or the problem */
    public record Rpo(double targetSeconds, double exposureSeconds, boolean breached, String guard, String note) {}

    public record Backlog(int files, long bytes, String oldest, double oldestAgeSeconds) {}

    public record Archived(String lastSegment, String lastAt, double files, double walBytes, double storedBytes,
            double compressionRatio) {}

    public record Throughput(double walBytesPerSecond) {}

    public record Error(String at, String operation, String file, String kind, String message) {}

    public static StatusReport of(String version, Instant startedAt, String dataDirectory, String repository,
            boolean guardEnabled, WalstowMetrics m) {
        ArchiveState s = m.state();
        WalstowMetrics.LastArchived last = m.lastArchived();
        String guard = !guardEnabled ? "disabled" : s.guardConnected() ? "connected" : "not connected";
        double stored = m.uploadedBytes();
        return new StatusReport(version, ProcessHandle.current().pid(), startedAt.toString(), dataDirectory,
                repository,
                new Rpo(s.rpoSeconds(), s.exposureSeconds(), s.breached(), guard, s.guardNote()),
                new Backlog(s.backlogSegments(), s.backlogBytes(), s.oldestUnarchived(), s.oldestUnarchivedAgeSeconds()),
                new Archived(last == null ? null : last.segment(),
                        last == null ? null : Instant.ofEpochMilli(last.epochMillis()).toString(),
                        m.archivedFiles(), m.archivedWalBytes(), stored, m.compressionRatioValue()),
                new Throughput(s.walBytesPerSecond()),
                m.recentErrors().stream().map(e -> new Error(e.at().toString(), e.operation(), e.fileName(), e.kind(),
                        e.message())).toList());
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status serializes to JSON", e);
        }
    }

    public static StatusReport fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, StatusReport.class);
    }
}
