package dev.walstow.cli;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.error.WalstowException;
import dev.walstow.logging.LogLevel;
import dev.walstow.logging.Logging;
import dev.walstow.runtime.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * Entry point. Adapts the command line to the commands and maps every outcome to the exit-code contract
 * (docs/exit-codes.md): archive-get failures exit above 125 so PostgreSQL stops recovery rather than ending it;
 * everything else exits 2..125 so archive_command is retried.
 */
@Command(name = "walstow", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "PostgreSQL WAL archiving, base backups and point-in-time recovery.",
                "PostgreSQL runs archive-push and archive-get; systemd runs the daemon; a DBA runs the rest."},
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"",
                "'walstow COMMAND --help' (or 'walstow help COMMAND', 'man walstow-COMMAND') describes a command.",
                "Exit codes: docs/exit-codes.md; configuration: docs/configuration.md."},
        subcommands = {ArchivePushCommand.class, ArchiveGetCommand.class, InitCommand.class, DaemonCommand.class,
                BackupCommand.class, RestoreCommand.class, VerifyCommand.class, InfoCommand.class, ExpireCommand.class,
                CheckCommand.class, StatusCommand.class, KeygenCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $WALSTOW_CONFIG, else /etc/walstow/walstow.toml).")
    Path configFile;

    @Spec
    CommandSpec spec;

    /** Inherited: accepted before the command name and after it ({@code walstow backup --log-level debug}). */
    @Option(names = "--log-level", paramLabel = "LEVEL", scope = ScopeType.INHERIT, converter = LevelWord.class,
            completionCandidates = LevelWords.class,
            description = "The least severe level logged: error, warn, info, debug or trace (default: "
                    + "$WALSTOW_LOG_LEVEL, else [log] level, else info).")
    void logLevel(LogLevel level) {
        if (level != null) {
            Logging.commandLineLevel(level);
        }
    }

    /** {@code walstow} without a command: the usage, with the command list, on stderr, and the usage status. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorCode.USAGE.pushExit();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        Logging.reset();
        return commandLine().execute(args);
    }

    /** The command line with walstow's error handling and exit codes (also what the help tests inspect). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean get = isGet(commandLine);
            if (ex instanceof WalstowException we) {
                LOG.error("walstow {}: {}", commandLine.getCommandName(), we.oneLine());
                return get ? we.code().getExit() : we.code().pushExit();
            }
            // The stack trace that follows is for the bug report; the line itself says it in words.
            LOG.error("walstow {}: {}", commandLine.getCommandName(), ErrorCode.INTERNAL.line("unexpected failure: "
                    + Failures.describe(ex), "this is a bug in walstow; please report it with the lines that follow"),
                    ex);
            return get ? ErrorCode.INTERNAL.getExit() : ErrorCode.INTERNAL.pushExit();
        });
        cli.setParameterExceptionHandler(Main::badArguments);
        cli.setExecutionStrategy(parseResult -> {
            configureLogging(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExitCodeExceptionMapper(exitCodeMapper());
        return cli;
    }

    /**
     * Bad arguments: one {@code [WS-USAGE]} line, whose hint suggests the command or option meant when picocli
     * finds a close one ({@code bakcup}: did you mean 'walstow backup'?) and names the help that lists them.
     */
    private static int badArguments(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        String command = commandLine.getCommandSpec().qualifiedName();
        String message = ex.getMessage();
        String hint = "'" + command + " --help' lists "
                + (commandLine.getSubcommands().isEmpty() ? "its options" : "the commands");
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> unknown = unmatched.getUnmatched();
            boolean unknownCommand = !unknown.isEmpty() && !unknown.getFirst().startsWith("-")
                    && !commandLine.getSubcommands().isEmpty();
            if (unknownCommand) {
                message = "unknown command '" + unknown.getFirst() + "'";
            }
            // picocli orders them by similarity: the first is the likeliest.
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                String meant = unknownCommand ? command + " " + suggestions.getFirst() : suggestions.getFirst();
                hint = "did you mean '" + meant + "'? " + hint;
            }
        }
        LOG.error("{}: {}", command, ErrorCode.USAGE.line(message, hint));
        return isGet(commandLine) ? ErrorCode.USAGE.getExit() : ErrorCode.USAGE.pushExit();
    }

    /**
     * The configuration's {@code [log]} table, before the command runs, for a command that reads the configuration
     * ({@link ConfigOption}); one that cannot be read is left to the command to report.
     */
    private static void configureLogging(ParseResult parseResult) {
        ParseResult last = parseResult;
        while (true) {
            if (last.isUsageHelpRequested() || last.isVersionHelpRequested()) {
                return;
            }
            if (!last.hasSubcommand()) {
                break;
            }
            last = last.subcommand();
        }
        CommandSpec command = last.commandSpec();
        for (CommandSpec mixin : command.mixins().values()) {
            if (mixin.userObject() instanceof ConfigOption config) {
                config.preload().ifPresent(cfg -> {
                    Logging.configure(cfg.log(), command.name());
                    LOG.debug("{}: walstow {}, configuration {}", command.qualifiedName(), Version.current(),
                            cfg.source());
                });
            }
        }
    }

    private static boolean isGet(CommandLine commandLine) {
        return commandLine.getCommand() instanceof ArchiveGetCommand;
    }

    private static IExitCodeExceptionMapper exitCodeMapper() {
        return t -> ErrorCode.INTERNAL.pushExit();
    }

    /** {@code --log-level}'s words, in any case. */
    static final class LevelWord implements CommandLine.ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            return LogLevel.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException("expected one of "
                    + String.join(", ", LogLevel.words()) + " but was '" + value + "'"));
        }
    }

    /** For the help text and shell completion. */
    static final class LevelWords extends java.util.ArrayList<String> {
        LevelWords() {
            super(LogLevel.words());
        }
    }

    /** Reports the version from the jar manifest (set by the build). */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"walstow " + Version.current(), "Java " + Runtime.version()};
        }
    }
}
