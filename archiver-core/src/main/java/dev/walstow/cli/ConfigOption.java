package dev.walstow.cli;

import dev.walstow.config.ConfigLoader;
import dev.walstow.config.WalstowConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config} option shared by every command that needs the configuration file. */
final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $WALSTOW_CONFIG, else /etc/walstow/walstow.toml).")
    Path file;

    WalstowConfig load() {
        return ConfigLoader.load(ConfigLoader.locate(Optional.ofNullable(file), System.getenv()));
    }
}
