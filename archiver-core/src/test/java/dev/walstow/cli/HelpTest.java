package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** walstow's help as a DBA meets it: every command answers --help, -h and `walstow help`, and says what it does. */
class HelpTest {

    /** Every command walstow has, read from the command line itself (a new command is covered without listing it). */
    static Stream<String> commands() {
        return Main.commandLine().getSubcommands().keySet().stream().filter(name -> !name.equals("help"));
    }

    @Test
    @DisplayName("the commands the help tests cover are the real ones, not an empty list")
    void commandsAreFound() {
        assertThat(commands().toList()).contains("archive-push", "archive-get", "backup", "restore", "daemon",
                "check", "status", "expire", "keygen");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("'walstow CMD --help' and 'walstow CMD -h' print the command's usage on stdout and exit 0")
    void helpOptions(String command) {
        for (String option : List.of("--help", "-h")) {
            Cli cli = Cli.run(command, option);
            assertThat(cli.exit()).as(option + " " + cli).isZero();
            assertThat(cli.out()).as(option).startsWith("Usage: walstow " + command + " ");
            assertThat(cli.err()).as(option).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("'walstow help CMD' prints the same usage, without any picocli warning")
    void helpCommand(String command) {
        Cli cli = Cli.run("help", command);
        assertThat(cli.exit()).as(cli.toString()).isZero();
        assertThat(cli.out()).isEqualTo(Cli.run(command, "--help").out());
        assertThat(cli.err()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("'walstow CMD -V' prints walstow's version")
    void versionOption(String command) {
        Cli cli = Cli.run(command, "-V");
        assertThat(cli.exit()).isZero();
        assertThat(cli.out()).startsWith("walstow ");
    }

    @Test
    @DisplayName("bare 'walstow' prints the usage with every command on stderr and exits 2 (WS-USAGE)")
    void bareWalstow() {
        Cli cli = Cli.run();
        assertThat(cli.exit()).isEqualTo(2);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err()).startsWith("Usage: walstow ").contains("Commands:");
        commands().forEach(command -> assertThat(cli.err()).contains("  " + command + " "));
    }

    @Test
    @DisplayName("'walstow --help' lists every command with a one-sentence summary")
    void topLevelHelp() {
        Cli cli = Cli.run("--help");
        assertThat(cli.exit()).isZero();
        for (String command : commands().toList()) {
            String summary = summary(Main.commandLine().getSubcommands().get(command).getCommandSpec());
            assertThat(cli.out()).as(command).containsPattern("(?m)^  " + command + " +"
                    + java.util.regex.Pattern.quote(summary.substring(0, Math.min(summary.length(), 30))));
        }
    }

    @Test
    @DisplayName("a mistyped command gets one WS-USAGE line suggesting the right one, exit 2")
    void typoInCommand() {
        Cli cli = Cli.run("bakcup");
        assertThat(cli.exit()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .endsWith(" ERROR walstow: [WS-USAGE] unknown command 'bakcup' HINT: did you mean 'walstow backup'? "
                        + "'walstow --help' lists the commands"));
    }

    @Test
    @DisplayName("a mistyped option gets one WS-USAGE line suggesting the right one, exit 2 (202 for archive-get)")
    void typoInOption() {
        Cli init = Cli.run("init", "--pgdta", "/tmp");
        assertThat(init.exit()).isEqualTo(2);
        assertThat(init.err().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .contains(" ERROR walstow init: [WS-USAGE] ").contains("'--pgdta'").contains("did you mean '--pgdata'?"));
        Cli get = Cli.run("archive-get", "--allow-outside-pgwal", "000000010000000000000001", "/tmp/x");
        assertThat(get.exit()).isEqualTo(202);
        assertThat(get.err()).contains("did you mean '--allow-outside-pg-wal'?");
    }

    @Test
    @DisplayName("every command says in its first line, a whole sentence, what it does")
    void everyCommandHasASummary() {
        List<String> missing = new ArrayList<>();
        forEachCommand(Main.commandLine().getCommandSpec(), spec -> {
            String summary = summary(spec);
            if (summary.isBlank() || !summary.endsWith(".")) {
                missing.add(spec.qualifiedName() + ": '" + summary + "'");
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    @DisplayName("every option and parameter of every command has a description")
    void everyOptionIsDescribed() {
        List<String> undocumented = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        forEachCommand(Main.commandLine().getCommandSpec(), spec -> {
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec arg : args) {
                String name = spec.qualifiedName() + " " + arg.paramLabel()
                        + (arg instanceof CommandLine.Model.OptionSpec o ? " " + o.longestName() : "");
                seen.add(name);
                if (String.join(" ", arg.description()).isBlank()) {
                    undocumented.add(name);
                }
            }
        });
        assertThat(seen).anySatisfy(name -> assertThat(name).contains("--target-lsn"));
        assertThat(undocumented).isEmpty();
    }

    private static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        String[] description = header.length > 0 ? header : spec.usageMessage().description();
        return description.length == 0 ? "" : description[0];
    }

    private static void forEachCommand(CommandSpec spec, java.util.function.Consumer<CommandSpec> action) {
        action.accept(spec);
        spec.subcommands().values().forEach(sub -> forEachCommand(sub.getCommandSpec(), action));
    }
}
