package dev.walstow.daemon.spool;

import dev.walstow.agent.AgentSettings;
import dev.walstow.agent.Failures;
import dev.walstow.agent.spool.Serving;
import dev.walstow.agent.spool.SpoolContract;
import dev.walstow.config.WalstowConfig.DaemonConfig;
import dev.walstow.error.LocalIoError;
import dev.walstow.runtime.LocalFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool as a daemon finds it at start-up, made fit to serve: only its own repository's state stays, and of that
 * only what is still true without the daemon that wrote it ({@code pushed/} markers: the objects are durable in that
 * very repository); everything in progress or prefetched by an earlier daemon goes.
 */
public final class SpoolSetup {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolSetup.class);

    private SpoolSetup() {}

    /**
     * State of any other repository (the configuration named another one before, or its binding changed), and the
     * state directories of walstow versions that did not keep state per repository: nothing of it may answer a call.
     */
    private static void removeOtherState(SpoolLayout layout) throws IOException {
        Set<String> legacy = Set.of(SpoolContract.PUSHED, SpoolContract.FAILED, SpoolContract.PREFETCH,
                SpoolContract.PUSHING, SpoolContract.FETCHING, SpoolContract.ASKED, SpoolContract.ANSWERS);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.root())) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if ((name.startsWith(Serving.STATE_PREFIX) && !entry.equals(layout.stateRoot()))
                        || legacy.contains(name)) {
                    LOG.info("removing {}: state of another repository or an older walstow", entry);
                    LocalFiles.deleteTree(entry);
                }
            }
        }
    }

    /** Prefetched by an earlier boot (possibly torn by the crash that ended it) or by an older layout. */
    private static void removeStalePrefetch(SpoolLayout layout) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.prefetchRoot())) {
            for (Path entry : entries) {
                if (!entry.equals(layout.prefetchDirectory())) {
                    LocalFiles.deleteTree(entry);
                }
            }
        }
    }

    /**
     * Creates this repository's state directories (0700), removes every other repository's state and stale or
     * in-progress markers, and writes agent.properties.
     *
     * @return the data directory's real path
     */
    public static Path prepare(SpoolLayout layout, DaemonConfig d) {
        try {
            Path realData = layout.dataDirectory().toRealPath();
            removeOtherState(layout);
            for (Path dir : List.of(layout.root(), layout.stateRoot(), layout.pushedDirectory(),
                    layout.failedDirectory(), layout.prefetchRoot(), layout.prefetchDirectory(), layout.pushingDirectory(),
                    layout.fetchingDirectory(), layout.askedDirectory(), layout.answersDirectory())) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            removeStalePrefetch(layout);
            // Left by a daemon that was killed: nothing is in progress yet.
            new WorkMarkers(layout.pushingDirectory()).clear();
            new WorkMarkers(layout.fetchingDirectory()).clear();
            // Asks of launchers that waited for the previous daemon: they have fallen back to the agent by now.
            new WorkMarkers(layout.askedDirectory()).clear();
            new WorkMarkers(layout.answersDirectory()).clear();
            String properties = AgentSettings.text(d.fallback() == DaemonConfig.Fallback.FAIL
                    ? AgentSettings.Fallback.FAIL : AgentSettings.Fallback.IN_PROCESS, d.waitTimeout().toMillis());
            Path temp = layout.root().resolve(".agent.properties.tmp");
            Files.writeString(temp, properties, StandardCharsets.UTF_8);
            Files.move(temp, layout.agentProperties(), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return realData;
        } catch (IOException e) {
            throw new LocalIoError("cannot prepare " + layout.root() + ": " + Failures.describe(e),
                    "run the daemon as the PostgreSQL OS user, which owns the data directory", e);
        }
    }
}
