package dev.walstow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The man pages and the bash completion the build generates from the commands' own help (packaging/pom.xml,
 * docs-generate), as the distribution, the tarball and the .deb ship them. Nothing is installed here: DebPackageIT
 * does that.
 */
class ManPagesAndCompletionIT {
    private static final Path DIST = Path.of(System.getProperty("walstow.dist", "target/walstow"));
    private static final Path PACKAGES = Path.of(System.getProperty("walstow.packages", "target"));
    private static final Path MAN1 = DIST.resolve("share/man/man1");
    private static final Path COMPLETION = DIST.resolve("share/bash-completion/completions/walstow");

    @Test
    @DisplayName("there is a gzipped troff man page for walstow and for every command 'walstow --help' lists")
    void manPagePerCommand() throws IOException {
        List<String> commands = commands();
        assertThat(commands).contains("archive-push", "backup", "restore", "daemon");
        assertThat(troff(MAN1.resolve("walstow.1.gz"))).contains(".TH \"WALSTOW\" \"1\"");
        for (String command : commands) {
            String page = troff(MAN1.resolve("walstow-" + command + ".1.gz"));
            assertThat(page).as(command).startsWith("'\\\" t\n")
                    .contains(".TH \"WALSTOW\\-" + command.toUpperCase().replace("-", "\\-") + "\" \"1\"");
        }
    }

    @Test
    @DisplayName("man renders a page: name, synopsis and every option with its description")
    void manRendersPage() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "man is not installed");
        Proc man = Proc.run(null, Map.of("MANPAGER", "cat", "MANWIDTH", "100"), 60,
                List.of("man", "-l", MAN1.resolve("walstow-restore.1.gz").toString())).ok();
        assertThat(man.out()).contains("NAME", "walstow-restore - Restore a backup", "SYNOPSIS", "walstow restore",
                "--target-lsn=LSN", "Recover to this WAL position", "--log-level=LEVEL");
    }

    @Test
    @DisplayName("bash completion completes command names, and --log-level with the levels")
    void bashCompletion() {
        String complete = "source " + COMPLETION + "\n"
                + "COMP_WORDS=(walstow bac); COMP_CWORD=1; COMP_LINE='walstow bac'; COMP_POINT=11\n"
                + "_complete_walstow; echo \"${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(walstow restore --log-level ''); COMP_CWORD=3; COMP_LINE='walstow restore --log-level '\n"
                + "COMP_POINT=28; _complete_walstow; echo \"${COMPREPLY[*]}\"\n"
                + "complete -p walstow\n";
        Proc bash = Proc.run(null, Map.of(), 30, List.of("bash", "-c", complete)).ok();
        assertThat(bash.out().lines().toList()).containsExactly("backup", "error warn info debug trace",
                "complete -o default -F _complete_walstow walstow");
    }

    @Test
    @DisplayName("the tarball and the .deb carry the man pages and the completion script")
    void packagesCarryThem() throws IOException {
        List<Path> tarballs = glob(PACKAGES, "walstow-*.tar.gz");
        assertThat(tarballs).hasSize(1);
        String tar = Proc.run(null, Map.of(), 60, List.of("tar", "-tzf", tarballs.getFirst().toString())).ok().out();
        assertThat(tar).containsPattern("(?m)^walstow-[^/]+/share/man/man1/walstow-backup\\.1\\.gz$")
                .containsPattern("(?m)^walstow-[^/]+/share/bash-completion/completions/walstow$");

        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is not installed");
        List<Path> debs = glob(PACKAGES, "walstow_*_amd64.deb");
        assertThat(debs).hasSize(1);
        String deb = Proc.run(null, Map.of(), 60, List.of("dpkg-deb", "-c", debs.getFirst().toString())).ok().out();
        for (String command : commands()) {
            assertThat(deb).contains(" ./usr/share/man/man1/walstow-" + command + ".1.gz\n");
        }
        assertThat(deb).contains(" ./usr/share/man/man1/walstow.1.gz\n")
                .contains(" ./usr/share/bash-completion/completions/walstow\n");
    }

    /** The commands as the built walstow lists them. */
    private static List<String> commands() {
        Proc help = Proc.run(null, WalstowDist.ENV, 60, List.of(DIST.resolve("bin/walstow").toString(), "--help"))
                .ok();
        List<String> commands = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z][a-z-]+)  ").matcher(help.out().substring(help.out()
                .indexOf("Commands:")));
        while (m.find()) {
            commands.add(m.group(1));
        }
        return commands;
    }

    private static String troff(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Path> glob(Path dir, String pattern) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, pattern)) {
            stream.forEach(found::add);
        }
        return found;
    }
}
