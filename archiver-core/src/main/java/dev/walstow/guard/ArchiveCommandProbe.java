package dev.walstow.guard;

import dev.walstow.agent.Failures;
import dev.walstow.config.ConfigLoader;
import dev.walstow.runtime.RunAsOwner.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code walstow check}'s test of archive_command the way PostgreSQL runs it: through {@code /bin/sh -c}, in the
 * data directory, as the data directory's owner, with the postmaster's environment (read from
 * {@code /proc/PID/environ}; check's own if that cannot be read). A failing archive_command otherwise shows only in
 * PostgreSQL's log, while check waits in vain for its segment.
 *
 * <p>What runs is archive_command with {@code archive-push} turned into {@code archive-get} of {@link #PROBE_NAME}, a
 * name no repository holds, into {@code pg_wal/RECOVERYXLOG} (where restore_command writes): the same program, the
 * same configuration, its keys and the repository, without writing anything. Exit 1, "not in the archive", is the
 * pass. Before that, the configuration archive_command would use ({@code --config}, else {@code $WALSTOW_CONFIG} in
 * PostgreSQL's environment, else the default) must be the one check read: otherwise PostgreSQL archives with other
 * settings, perhaps into another repository, and everything check found says nothing about it.
 */
public final class ArchiveCommandProbe {
    /**
     * Timeline FFFFFFFF, segment 0, which PostgreSQL never writes (its first segment is 1): valid for every segment
     * size, and so are the segments after it that a daemon asked for it may prefetch.
     */
    public static final String PROBE_NAME = "FFFFFFFF0000000000000000";
    private static final String PROBE_DESTINATION = "pg_wal/RECOVERYXLOG";

    public enum Verdict { PASS, FAIL, SKIP }

    /** @param line for PASS and SKIP what was found, for FAIL the problem and {@code HINT: ...} */
    public record Result(Verdict verdict, String line) {}

    private ArchiveCommandProbe() {}

    /**
     * @param archiveCommand archive_command as the server reports it
     * @param dataDirectory the server's data directory
     * @param checkedConfig the configuration file {@code walstow check} read
     */
    public static Result run(String archiveCommand, Path dataDirectory, Path checkedConfig, Duration timeout) {
        List<String> words = words(archiveCommand);
        int push = words.indexOf("archive-push");
        if (push < 0) {
            return new Result(Verdict.SKIP, "archive_command '" + archiveCommand + "' does not run walstow "
                    + "archive-push");
        }
        if (!archiveCommand.contains("%p")) {
            return new Result(Verdict.FAIL, "archive_command '" + archiveCommand + "' has no %p: walstow "
                    + "archive-push is not told which file to archive HINT: archive_command = 'walstow --config "
                    + checkedConfig + " archive-push %p'");
        }
        Postmaster postmaster = Postmaster.of(dataDirectory);
        Optional<String> configOption = configOption(words.subList(0, push));
        Path used = dataDirectory.resolve(ConfigLoader.locate(configOption.map(Path::of), postmaster.environment()))
                .normalize();
        if (!sameFile(used, checkedConfig)) {
            String why = configOption.isPresent() ? "its --config"
                    : postmaster.environment().containsKey("WALSTOW_CONFIG") ? "$WALSTOW_CONFIG in PostgreSQL's "
                    + "environment" : "the default, as it names no --config";
            return new Result(Verdict.FAIL, "archive_command uses the configuration " + used + " (" + why
                    + "), but walstow check read " + checkedConfig + ": PostgreSQL archives with other settings "
                    + "than the ones checked HINT: set archive_command = '" + words.getFirst() + " --config "
                    + checkedConfig + " archive-push %p' and reload PostgreSQL, or run walstow --config " + used
                    + " check");
        }
        Runner runner = Runner.of(dataDirectory, postmaster);
        if (runner.skip().isPresent()) {
            return new Result(Verdict.SKIP, "archive_command not run: " + runner.skip().get());
        }
        String probe = probeCommand(archiveCommand);
        return interpret(runner.describe(probe), runner.owner(), runner.run(probe, timeout));
    }

    /**
     * Runs archive_command for {@code fileName} exactly as PostgreSQL does ({@code %p} = {@code pg_wal/NAME}), to
     * learn why it failed: safe, because PostgreSQL runs that very command again and again until it succeeds, and
     * walstow archive-push stores a file once (a second push of the same content does nothing).
     *
     * @return PASS if it succeeds now; FAIL with what it said; SKIP if it cannot be run as PostgreSQL runs it
     */
    public static Result rerun(String archiveCommand, Path dataDirectory, String fileName, Duration timeout) {
        Runner runner = Runner.of(dataDirectory, Postmaster.of(dataDirectory));
        if (runner.skip().isPresent()) {
            return new Result(Verdict.SKIP, runner.skip().get());
        }
        String command = substitute(archiveCommand, "pg_wal/" + fileName, fileName);
        Ran ran = runner.run(command, timeout);
        if (!ran.timedOut() && ran.exit() == 0) {
            return new Result(Verdict.PASS, "archive_command for " + fileName + " succeeds when run again ("
                    + runner.describe(command) + ")");
        }
        return new Result(Verdict.FAIL, runner.describe(command) + (ran.timedOut() ? " did not finish"
                : " exits " + ran.exit() + ": " + cause(ran.output())));
    }

    /** How PostgreSQL runs archive_command: as the data directory's owner, in it, with the postmaster's environment. */
    private record Runner(Path directory, Postmaster postmaster, User owner, List<String> prefix,
            Optional<String> skip) {
        static Runner of(Path dataDirectory, Postmaster postmaster) {
            User owner;
            try {
                owner = new User(((Number) Files.getAttribute(dataDirectory, "unix:uid")).longValue(),
                        Files.getOwner(dataDirectory).getName());
            } catch (IOException | UnsupportedOperationException e) {
                return new Runner(dataDirectory, postmaster, null, List.of(), Optional.of("cannot read the owner of "
                        + dataDirectory + " (" + Failures.describe(e) + ")"));
            }
            User me = User.current();
            if (me.uid() == owner.uid()) {
                return new Runner(dataDirectory, postmaster, owner, List.of(), Optional.empty());
            }
            if (me.uid() == 0) {
                return new Runner(dataDirectory, postmaster, owner, List.of("runuser", "-u", owner.name(), "--"),
                        Optional.empty());
            }
            return new Runner(dataDirectory, postmaster, owner, List.of(), Optional.of("PostgreSQL runs it as "
                    + owner.name() + ", check runs as " + me.name() + " (run sudo -u " + owner.name() + " walstow "
                    + "check to test it)"));
        }

        String describe(String command) {
            return "run as " + owner.name() + " in " + directory + " with " + (postmaster.readable()
                    ? "PostgreSQL's environment" : "check's environment (PostgreSQL's is unreadable)") + ": "
                    + command;
        }

        Ran run(String command, Duration timeout) {
            List<String> full = new ArrayList<>(prefix);
            full.addAll(List.of("/bin/sh", "-c", command));
            return execute(full, directory, postmaster.environment(), timeout);
        }
    }

    private record Ran(int exit, String output, boolean timedOut) {}

    private static Result interpret(String how, User owner, Ran ran) {
        if (ran.timedOut()) {
            return new Result(Verdict.FAIL, "archive_command does not finish as PostgreSQL runs it: " + how + " HINT: "
                    + "run it yourself as " + owner.name() + " and see where it hangs: a repository that does not "
                    + "answer, a lock");
        }
        if (ran.exit() == 1 || ran.exit() == 0) {
            return new Result(Verdict.PASS, "archive_command works as PostgreSQL runs it: " + how + " exits "
                    + ran.exit() + " (walstow, its configuration, keys and repository are reachable; " + PROBE_NAME
                    + " is not archived)");
        }
        String said = cause(ran.output());
        String hint = ran.exit() == 127 || ran.exit() == 126
                ? "give walstow's full path in archive_command (e.g. /usr/bin/walstow), or put it on PostgreSQL's PATH"
                : said.contains("HINT:") ? "" : "run it yourself as " + owner.name() + " (sudo -u " + owner.name()
                + ") in the data directory";
        return new Result(Verdict.FAIL, "archive_command fails as PostgreSQL runs it: " + how + " exits "
                + ran.exit() + ": " + said + (hint.isEmpty() ? "" : " HINT: " + hint));
    }

    /** The walstow error line if there is one ({@code [WS-...] ... HINT: ...}), else the last line said. */
    static String cause(String output) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (String l : lines.reversed()) {
            int at = l.indexOf("[WS-");
            if (at >= 0) {
                return l.substring(at);
            }
        }
        return lines.isEmpty() ? "it printed nothing" : lines.getLast();
    }

    private static Ran execute(List<String> command, Path directory, Map<String, String> environment,
            Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("walstow-check-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process p = builder.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            return new Ran(done ? p.exitValue() : -1, Files.readString(output, StandardCharsets.UTF_8), !done);
        } catch (IOException e) {
            return new Ran(-1, "cannot start " + command.getFirst() + ": " + Failures.describe(e), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ran(-1, "interrupted", true);
        } finally {
            if (output != null) {
                dev.walstow.runtime.LocalFiles.deleteQuietly(output);
            }
        }
    }

    /**
     * archive_command with its {@code archive-push} word turned into {@code archive-get PROBE_NAME}, and PostgreSQL's
     * placeholders replaced as PostgreSQL replaces them: {@code %p} by the destination, {@code %f} by the name,
     * {@code %%} by {@code %}.
     */
    static String probeCommand(String archiveCommand) {
        return substitute(archiveCommand.replaceFirst("(?<=^|\\s)archive-push(?=\\s|$)", "archive-get " + PROBE_NAME),
                PROBE_DESTINATION, PROBE_NAME);
    }

    /** PostgreSQL's replacements in archive_command: {@code %p}, {@code %f} and {@code %%}. */
    static String substitute(String command, String p, String f) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            char next = i + 1 < command.length() ? command.charAt(i + 1) : 0;
            if (c == '%' && next == 'p') {
                out.append(p);
                i++;
            } else if (c == '%' && next == 'f') {
                out.append(f);
                i++;
            } else if (c == '%' && next == '%') {
                out.append('%');
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The value of {@code --config FILE} or {@code --config=FILE} among {@code words}. */
    static Optional<String> configOption(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals("--config") && i + 1 < words.size()) {
                return Optional.of(words.get(i + 1));
            }
            if (words.get(i).startsWith("--config=")) {
                return Optional.of(words.get(i).substring("--config=".length()));
            }
        }
        return Optional.empty();
    }

    /** The words of a shell command line: split at blanks outside quotes; quotes and backslashes removed. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The running server's environment, from {@code postmaster.pid} and {@code /proc/PID/environ}. */
    private record Postmaster(Map<String, String> environment, boolean readable) {
        static Postmaster of(Path dataDirectory) {
            try {
                String pid = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().strip();
                byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "environ"));
                Map<String, String> env = new HashMap<>();
                for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        env.put(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                }
                return new Postmaster(Map.copyOf(env), true);
            } catch (IOException | RuntimeException e) {
                return new Postmaster(System.getenv(), false);
            }
        }
    }
}
