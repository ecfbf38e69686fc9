package dev.walstow.daemon.spool;

import dev.walstow.agent.Failures;
import dev.walstow.agent.protocol.Reply;
import dev.walstow.agent.spool.SpoolContract;
import dev.walstow.error.WalstowException;
import dev.walstow.runtime.LocalFiles;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.WalFileName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * archive-get without a JVM: the launcher creates {@code asked/NAME.ID} and waits (inotify) for the answer in
 * {@code answers/} ({@link SpoolLayout}). The daemon treats an ask exactly like the agent's request for NAME with
 * %p = {@code answers/NAME.ID} ({@code FetchService.get}: negative cache for segments, timeline history always
 * fetched fresh, verified before the atomic rename), and turns the reply into files:
 * <ul>
 * <li>OK: {@code answers/NAME.ID} is the file; the launcher renames it to %p and exits 0.</li>
 * <li>NOT_FOUND (the repository positively has no NAME): an empty {@code NAME.ID.missing}; the launcher exits 1.</li>
 * <li>anything else: an empty {@code NAME.ID.error}; the launcher starts the agent, which asks again and reports
 * the error with its exit code (docs/exit-codes.md). No error is decided in the launcher.</li>
 * </ul>
 *
 * <p>Why: each agent JVM costs ~50 ms, and recovery starts with one (the first segment, before anything is
 * prefetched) and asks for timeline history files, which are never prefetched, at its start and again at promotion:
 * four JVMs, ~0.5 s of a PITR that takes 8 s (docs/benchmarks.md, end to end). The ID (the launcher's pid and a
 * random number) makes every answer belong to exactly one call, so a fresh answer can never be confused with an
 * older one; answers nobody collected are swept after {@link #ABANDONED}.
 */
public final class LauncherAsks {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherAsks.class);
    /** The launcher's wait is bounded by 60 s; anything older was given up. */
    public static final Duration ABANDONED = Duration.ofMinutes(2);
    private static final Pattern ID = Pattern.compile("[0-9]{1,10}-[0-9]{1,10}");

    private final SpoolLayout layout;
    private final Fetch fetch;
    private final WorkMarkers working;

    /** The daemon's archive-get: fetches NAME to the destination, completing with the reply for the agent. */
    @FunctionalInterface
    public interface Fetch {
        CompletableFuture<Reply> get(WalFileName name, Path destination);
    }

    public LauncherAsks(SpoolLayout layout, Fetch fetch) {
        this.layout = layout;
        this.fetch = fetch;
        this.working = new WorkMarkers(layout.fetchingDirectory());
    }

    /** Called with the name of each file created in {@code asked/}. */
    public void asked(String request) {
        int dot = request.lastIndexOf('.');
        if (dot <= 0 || !ID.matcher(request.substring(dot + 1)).matches()) {
            return; // not an ask (an editor's or a copy's temp file): leave it to the sweep
        }
        WalFileName name;
        try {
            name = WalFileName.parse(request.substring(0, dot));
        } catch (WalstowException e) {
            answer(request, SpoolContract.ANSWER_ERROR);
            return;
        }
        // Segments show their fetch as fetching/NAME already; other files get the marker here, so that the launcher
        // keeps waiting while a slow store answers instead of starting the agent after its short idle limit.
        boolean marked = !(name instanceof SegmentName);
        if (marked) {
            working.begin(name.fileName());
        }
        Path ask = layout.askedDirectory().resolve(request);
        Path answer = layout.answersDirectory().resolve(request);
        try {
            fetch.get(name, answer).whenComplete((reply, failure) -> {
                try {
                    if (!Files.exists(ask)) {
                        // The launcher gave up (it removes its ask before starting the agent): nobody collects this.
                        LocalFiles.deleteQuietly(answer);
                    } else if (failure != null || reply.status() != Reply.Status.OK) {
                        boolean missing = failure == null && reply.status() == Reply.Status.NOT_FOUND;
                        answer(request, missing ? SpoolContract.ANSWER_MISSING : SpoolContract.ANSWER_ERROR);
                    }
                } finally {
                    finish(name, marked, ask);
                }
            });
        } catch (RuntimeException e) {
            // E.g. rejected while the daemon shuts down: answer, so the launcher starts the agent at once, and keep
            // the watcher alive for the next ask.
            LOG.warn("cannot serve the launcher's ask {}: {}", request, e.toString());
            answer(request, SpoolContract.ANSWER_ERROR);
            finish(name, marked, ask);
        }
    }

    /** The ask is answered (or never will be): drop its marker and the ask itself. */
    private void finish(WalFileName name, boolean marked, Path ask) {
        if (marked) {
            working.end(name.fileName());
        }
        LocalFiles.deleteQuietly(ask);
    }

    /** Removes asks and answers older than {@code age}: their launcher has given up or was killed. */
    public void sweep(Duration age) {
        Instant before = Instant.now().minus(age);
        for (Path dir : new Path[] {layout.askedDirectory(), layout.answersDirectory()}) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot sweep {}: {}", dir, e.toString());
            }
        }
    }

    private void answer(String request, String suffix) {
        try {
            Files.createFile(layout.answersDirectory().resolve(request + suffix));
        } catch (IOException e) {
            // The launcher then waits out its bound and starts the agent: slower, still correct.
            LOG.warn("cannot answer the launcher's ask {}: {}", request, Failures.describe(e));
        }
    }
}
