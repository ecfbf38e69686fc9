package dev.walstow.cli;

import dev.walstow.catalog.RepositoryInfo;
import dev.walstow.config.WalstowConfig;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Components;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Show the backups, and the WAL ranges and gaps per timeline.",
                "Also the oldest recoverable point and the newest archived segment. Needs no secret key."})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        try (Repository repository = Components.repository(cfg, false)) {
            RepositoryInfo info = RepositoryInfo.of(repository, cfg.backup().lockStaleAfter());
            if (output.json()) {
                OutputOption.print(spec.commandLine().getOut(), InfoJson.of(info));
            } else {
                spec.commandLine().getOut().print(info.text());
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
