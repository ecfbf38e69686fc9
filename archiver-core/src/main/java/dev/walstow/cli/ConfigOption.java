package dev.walstow.cli;

import dev.walstow.config.ConfigLoader;
import dev.walstow.config.WalstowConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --config} option of every command that needs the configuration file. Accepted before the command
 * name ({@code walstow --config F archive-push %p}, as documented) and after it.
 */
final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $WALSTOW_CONFIG, else /etc/walstow/walstow.toml).")
    Path file;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    WalstowConfig load() {
        return ConfigLoader.load(path());
    }

    /** The configuration file this command uses ({@link ConfigLoader#locate}). */
    Path path() {
        Path chosen = file;
        if (chosen == null && command.parent() != null && command.parent().userObject() instanceof Main main) {
            chosen = main.configFile;
        }
        return ConfigLoader.locate(Optional.ofNullable(chosen), System.getenv());
    }
}
