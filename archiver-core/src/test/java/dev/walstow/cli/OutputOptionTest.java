package dev.walstow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class OutputOptionTest {
    /** Every command with --output, by name, found through picocli's model of the real command line. */
    private static Map<String, CommandLine> commandsWithOutput() {
        Map<String, CommandLine> found = new TreeMap<>();
        new CommandLine(new Main()).getSubcommands().forEach((name, command) -> {
            if (command.getCommandSpec().findOption("--output") != null) {
                found.put(name, command);
            }
        });
        return found;
    }

    @Test
    @DisplayName("every command that reports a result has --output, and every --output accepts text and json, "
            + "text by default")
    void everyOutputAcceptsJson() {
        Map<String, CommandLine> commands = commandsWithOutput();
        assertThat(commands).containsOnlyKeys("backup", "check", "expire", "info", "restore", "status", "verify");
        commands.forEach((name, command) -> {
            OptionSpec option = command.getCommandSpec().findOption("--output");
            assertThat(option.type()).as(name).isEqualTo(OutputOption.Format.class);
            assertThat(option.defaultValue()).as(name).isEqualTo("text");
            for (String format : new String[] {"text", "json"}) {
                String[] args = name.equals("restore") ? new String[] {name, "--pgdata", "/x", "--output", format}
                        : new String[] {name, "--output", format};
                OutputOption.Format parsed = new CommandLine(new Main()).parseArgs(args).subcommand()
                        .matchedOptionValue("--output", null);
                assertThat(parsed).as(name + " --output " + format).isEqualTo(OutputOption.Format.valueOf(format));
            }
        });
    }

    @Test
    @DisplayName("an unknown --output is a usage error naming the choices, before the command runs")
    void unknownFormatRefused() {
        commandsWithOutput().forEach((name, command) -> assertThatThrownBy(() -> new CommandLine(new Main())
                .parseArgs(name, "--output", "yaml")).as(name).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("yaml"));
        Cli cli = Cli.run("info", "--output", "yaml");
        assertThat(cli.exit()).isEqualTo(2);
        assertThat(cli.err()).contains("[WS-USAGE]", "text, json");
    }
}
