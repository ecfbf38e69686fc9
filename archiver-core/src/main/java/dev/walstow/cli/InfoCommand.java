package dev.walstow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.walstow.catalog.RepositoryInfo;
import dev.walstow.config.WalstowConfig;
import dev.walstow.error.UserError;
import dev.walstow.repo.Repository;
import dev.walstow.runtime.Components;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", description = "Backups, WAL ranges and gaps per timeline, oldest recoverable point, newest "
        + "archived segment. Needs no secret key.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text")
    String output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw UserError.usage("--output " + output + " is not text or json", "pass --output json");
        }
        WalstowConfig cfg = config.load();
        try (Repository repository = Components.repository(cfg, false)) {
            RepositoryInfo info = RepositoryInfo.of(repository, cfg.backup().lockStaleAfter());
            spec.commandLine().getOut().print(output.equals("json")
                    ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(info) + "\n"
                    : info.text());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
