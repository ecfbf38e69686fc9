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

    /** What {@link #preload} found: the configuration, or why it cannot be had. */
    private WalstowConfig loaded;
    private RuntimeException failure;

    /** The configuration, read once per command (the first time, before the command runs, by {@link #preload}). */
    WalstowConfig load() {
        if (loaded == null && failure == null) {
            preload();
        }
        if (failure != null) {
            throw failure;
        }
        return loaded;
    }

    /**
     * Reads the configuration before the command runs, for what applies to every command (its {@code [log]} table);
     * empty if it cannot be read, which the command itself reports when it asks ({@link #load}).
     */
    Optional<WalstowConfig> preload() {
        try {
            loaded = ConfigLoader.load(path());
            failure = null;
        } catch (RuntimeException e) {
            loaded = null;
            failure = e;
        }
        return Optional.ofNullable(loaded);
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
