package dev.walstow.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.walstow.runtime.Json;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What {@code GET /status} answers and {@code walstow status --output json} prints: one screen about one daemon, in
 * the JSON style of docs/json.md. The keys are the same whether a daemon answers or not: without one,
 * {@code daemon.running} is false, {@code daemon.problem} says why, and what only a daemon knows is null. Sizes are
 * bytes, durations whole seconds, counters integers.
 */
public record StatusReport(
        int walstowJson,
        Daemon daemon,
        Rpo rpo,
        Backlog backlog,
        Archived archived,
        Throughput throughput,
        List<Error> lastErrors) {

    /** @param problem why no daemon answers (null when {@code running}) */
    public record Daemon(boolean running, String problem, String version, Long pid, String startedAt,
            String dataDirectory, String repository) {}

    /**
     * @param exposureSeconds rounded up, as the exposure errs high and never low: {@code breached} is exactly
     *     {@code exposureSeconds > targetSeconds}
     * @param guard {@code connected}, {@code not_connected} or {@code disabled}
     */
    public record Rpo(Long targetSeconds, Long exposureSeconds, Boolean breached, String guard, String note) {}

    public record Backlog(Integer files, Long bytes, String oldest, Long oldestAgeSeconds) {
        public static final Backlog UNKNOWN = new Backlog(null, null, null, null);
    }

    public record Archived(String lastSegment, String lastAt, Long files, Long walBytes, Long storedBytes,
            Double compressionRatio) {}

    public record Throughput(Long walBytesPerSecond) {}

    /** @param kind the error's code as in the {@code walstow_failures_total} label: {@code storage}, ... */
    public record Error(String at, String operation, String file, String kind, String message) {}

    public static StatusReport of(String version, Instant startedAt, String dataDirectory, String repository,
            boolean guardEnabled, WalstowMetrics m) {
        ArchiveState s = m.state();
        WalstowMetrics.LastArchived last = m.lastArchived();
        String guard = !guardEnabled ? "disabled" : s.guardConnected() ? "connected" : "not_connected";
        // Micrometer counts in doubles; what they count here are files and bytes.
        return new StatusReport(Json.VERSION,
                new Daemon(true, null, version, ProcessHandle.current().pid(), startedAt.toString(), dataDirectory,
                        repository),
                new Rpo(Math.round(s.rpoSeconds()), (long) Math.ceil(s.exposureSeconds()), s.breached(), guard,
                        s.guardNote()),
                new Backlog(s.backlogSegments(), s.backlogBytes(), s.oldestUnarchived(),
                        Math.round(s.oldestUnarchivedAgeSeconds())),
                new Archived(last == null ? null : last.segment(),
                        last == null ? null : Instant.ofEpochMilli(last.epochMillis()).toString(),
                        Math.round(m.archivedFiles()), Math.round(m.archivedWalBytes()), Math.round(m.uploadedBytes()),
                        m.compressionRatioValue()),
                new Throughput(Math.round(s.walBytesPerSecond())),
                m.recentErrors().stream().map(e -> new Error(e.at().toString(), e.operation(), e.fileName(),
                        kind(e.kind()), e.message())).toList());
    }

    /**
     * The report when no daemon answers: {@code problem} says why; the configured RPO and the backlog (read from
     * pg_wal by the caller, {@link Backlog#UNKNOWN} without a data directory) are all that is known.
     */
    public static StatusReport notRunning(String problem, long rpoTargetSeconds, Backlog backlog) {
        return new StatusReport(Json.VERSION, new Daemon(false, problem, null, null, null, null, null),
                new Rpo(rpoTargetSeconds, null, null, null, null), backlog,
                new Archived(null, null, null, null, null, null), new Throughput(null), List.of());
    }

    /** {@code WS-INVALID-WAL} as {@code invalid_wal}, the form of the metrics' {@code kind} label. */
    private static String kind(String code) {
        return code.replaceFirst("^WS-", "").replace('-', '_').toLowerCase(Locale.ROOT);
    }

    public String toJson() {
        return Json.write(this);
    }

    public static StatusReport fromJson(String json) throws JsonProcessingException {
        return Json.read(json, StatusReport.class);
    }
}
