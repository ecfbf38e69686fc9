package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.config.ConfigLoader;
import dev.walstow.daemon.spool.ConfigStamp;
import dev.walstow.daemon.Daemon;
import dev.walstow.daemon.RequestHandler;
import dev.walstow.daemon.server.DaemonRuntime;
import dev.walstow.daemon.server.DaemonServer;
import dev.walstow.daemon.server.ServerSettings;
import dev.walstow.error.UserError;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "daemon", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Run the resident daemon for one cluster.",
                "It archives ahead of PostgreSQL (pg_wal/archive_status/*.ready) in parallel and prefetches on "
                        + "restore; agents reach it on pg_wal/.walstow/daemon.sock. Runs until SIGTERM.",
                "Under systemd use walstow.service (Type=notify, watchdog)."})
final class DaemonCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR", description = "Data directory (default: [postgres] data).")
    Path pgdata;

    @Spec
    CommandSpec spec;

    /**
     * The exit status after the configuration file changed under a running daemon: EX_TEMPFAIL, which systemd's
     * Restart=on-failure answers with a start on the new file (packaging/src/main/dist/systemd).
     */
    static final int EXIT_CONFIGURATION_CHANGED = 75;

    @Override
    public Integer call() throws InterruptedException {
        Path file = config.path();
        ConfigStamp.Loaded loaded = ConfigStamp.load(file);
        WalstowConfig cfg = ConfigLoader.parse(file, loaded.text());
        Path data = (pgdata != null ? pgdata : cfg.postgres().data().orElseThrow(() -> UserError.usage(
                "no data directory given", "pass --pgdata DIR or set [postgres] data in the configuration")))
                .toAbsolutePath().normalize();
        Owners.require(spec, cfg, Optional.of(data));
        Daemon daemon = Daemon.fromConfig(cfg, loaded.stamp(), data);
        AtomicBoolean configurationChanged = new AtomicBoolean();
        RequestHandler handler = daemon.start();
        DaemonServer server = new DaemonServer(ServerSettings.of(daemon.layout(), cfg.daemon()), handler);
        DaemonRuntime runtime = new DaemonRuntime(server, daemon::shutdown, cfg.daemon().shutdownTimeout());
        try {
            runtime.start();
        } catch (RuntimeException e) {
            daemon.shutdown(cfg.daemon().shutdownTimeout());
            throw e;
        }
        daemon.onConfigurationChange(() -> {
            configurationChanged.set(true);
            Thread.ofPlatform().name("walstow-restart").start(runtime::shutdown);
        });
        runtime.awaitShutdown();
        return configurationChanged.get() ? EXIT_CONFIGURATION_CHANGED : 0;
    }
}
