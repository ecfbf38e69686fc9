package dev.walstow.cli;

import dev.walstow.archive.RepositoryInit;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Components;
import dev.walstow.runtime.Version;
import dev.walstow.wal.ClusterIdentity;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Bind an empty repository to this cluster.",
                "Records the cluster's system identifier, major version and WAL segment size. Safe to repeat; "
                        + "refuses a repository bound to another cluster."})
final class InitCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--pgdata", paramLabel = "DIR", description = "Data directory (default: [postgres] data).")
    Path pgdata;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        Path data = pgdata != null ? pgdata : cfg.postgres().data().orElseThrow(() -> UserError.usage(
                "no data directory given", "pass --pgdata DIR or set [postgres] data in the configuration"));
        Owners.require(spec, cfg, Optional.of(data));
        ClusterIdentity cluster = ClusterIdentity.read(data);
        try (Repository repository = Components.repository(cfg, true)) {
            RepositoryInit.Outcome outcome = new RepositoryInit(repository).bind(cluster, Version.current());
            spec.commandLine().getOut().println((outcome.alreadyBound()
                    ? "repository " + repository.location() + " was already bound to "
                    : "repository " + repository.location() + " is now bound to ")
                    + outcome.binding().describe());
            return 0;
        }
    }
}
