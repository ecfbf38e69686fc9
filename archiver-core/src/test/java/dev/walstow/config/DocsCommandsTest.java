package dev.walstow.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The walstow commands the user documentation shows use options that exist. */
class DocsCommandsTest {
    private static final Path ROOT = Path.of("..");
    /** {@code walstow [--config FILE] SUBCOMMAND rest-of-line}, up to a backtick or a shell comment. */
    private static final Pattern COMMAND = Pattern.compile(
            "(?<![\\w/-])(?:/usr/bin/)?walstow (?:--config \\S+ )?([a-z][a-z-]*)([^`#\\n]*)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*");

    @Test
    @DisplayName("every --option after a walstow command in README.md and docs/ is an option of that command")
    void documentedOptionsExist() throws IOException {
        CommandLine cli = new CommandLine(new Main());
        Map<String, CommandLine> commands = cli.getSubcommands();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            // Shell line continuations join the next line.
            Matcher m = COMMAND.matcher(Files.readString(doc).replace("\\\n", " "));
            while (m.find()) {
                CommandLine command = commands.get(m.group(1));
                if (command == null) {
                    continue; // prose ("walstow maintainers"), not a command line
                }
                Matcher o = OPTION.matcher(m.group(2));
                while (o.find()) {
                    checked++;
                    if (!command.getCommandSpec().optionsMap().containsKey(o.group())
                            && !cli.getCommandSpec().optionsMap().containsKey(o.group())) {
                        wrong.add(doc.getFileName() + ": walstow " + m.group(1) + " has no " + o.group() + " ("
                                + m.group().strip() + ")");
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    @DisplayName("the runbook's point-in-time recovery is walstow restore to a target, then starting PostgreSQL")
    void runbookRecoversWithWalstowRestore() throws IOException {
        String runbook = Files.readString(ROOT.resolve("docs/runbook.md"));
        int start = runbook.indexOf("## Point-in-time recovery, step by step\n");
        assertThat(start).isNotNegative();
        String section = runbook.substring(start, runbook.indexOf("\n## ", start + 1));
        assertThat(section).contains("walstow restore --pgdata", "--target-time", "--dry-run", "--target-action",
                "pg_ctlcluster 15 main start", "pg_wal_replay_resume()");
        assertThat(section.indexOf("walstow restore")).as("walstow restore is the way, pg_basebackup the aside")
                .isLessThan(section.indexOf("pg_basebackup"));
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (var s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }
}
