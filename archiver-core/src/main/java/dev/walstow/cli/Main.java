package dev.walstow.cli;

import dev.walstow.agent.ErrorCode;
import dev.walstow.agent.Failures;
import dev.walstow.error.WalstowException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * Entry point. Adapts the command line to the commands and maps every outcome to the exit-code contract
 * (docs/exit-codes.md): archive-get failures exit above 125 so PostgreSQL stops recovery rather than ending it;
 * everything else exits 2..125 so archive_command is retried.
 */
@Command(name = "walstow", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "PostgreSQL WAL archive agent: archive_command, restore_command, repository tools.",
        subcommands = {ArchivePushCommand.class, ArchiveGetCommand.class, InitCommand.class, DaemonCommand.class,
                BackupCommand.class, RestoreCommand.class, VerifyCommand.class, InfoCommand.class, ExpireCommand.class,
                CheckCommand.class, StatusCommand.class, KeygenCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $WALSTOW_CONFIG, else /etc/walstow/walstow.toml).")
    Path configFile;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
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
        cli.setExitCodeExceptionMapper(exitCodeMapper());
        return cli.execute(args);
    }

    private static int badArguments(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println("walstow " + commandLine.getCommandName() + ": " + ErrorCode.USAGE.line(ex.getMessage(),
                "see 'walstow help " + commandLine.getCommandName() + "'"));
        err.flush();
        return isGet(commandLine) ? ErrorCode.USAGE.getExit() : ErrorCode.USAGE.pushExit();
    }

    private static boolean isGet(CommandLine commandLine) {
        return commandLine.getCommand() instanceof ArchiveGetCommand;
    }

    private static IExitCodeExceptionMapper exitCodeMapper() {
        return t -> ErrorCode.INTERNAL.pushExit();
    }

    /** Reports the version from the jar manifest (set by the build). */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"walstow " + dev.walstow.runtime.Version.current(), "Java " + Runtime.version()};
        }
    }
}
