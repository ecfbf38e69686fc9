package dev.walstow.agent;

import dev.walstow.agent.protocol.Request;
import dev.walstow.agent.spool.ConfigFile;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The only two command lines the agent answers itself: {@code [--config FILE|--config=FILE] archive-push %p} and
 * {@code [--config FILE|--config=FILE] archive-get %f %p}. Anything else (other commands, extra options, odd
 * values) is not parsed here but handed to the full CLI, which owns the usage messages and their exit codes.
 *
 * <p>{@code --config} decides which configuration file the call uses ({@link ConfigFile#locate}): the daemon answers
 * only when that is the very file it loaded, unchanged. The in-process fallback gets the original arguments.
 *
 * @param kind PUSH or GET
 * @param walFileName %f for get; the last component of %p for push
 * @param path %p exactly as PostgreSQL passed it
 * @param config the {@code --config} value, if given
 */
public record AgentArguments(Request.Kind kind, String walFileName, String path, Optional<Path> config) {
    private static final String CONFIG = "--config";
    private static final String CONFIG_EQ = "--config=";

    /** @return the parsed call, or {@code null} when the full CLI must handle these arguments */
    public static AgentArguments parse(String... args) {
        int i = 0;
        Optional<Path> config = Optional.empty();
        if (args.length > 0 && args[0].equals(CONFIG)) {
            if (args.length < 2 || args[1].isEmpty()) {
                return null;
            }
            config = Optional.of(Path.of(args[1]));
            i = 2;
        } else if (args.length > 0 && args[0].startsWith(CONFIG_EQ)) {
            if (args[0].length() == CONFIG_EQ.length()) {
                return null;
            }
            config = Optional.of(Path.of(args[0].substring(CONFIG_EQ.length())));
            i = 1;
        }
        int rest = args.length - i;
        if (rest == 2 && args[i].equals("archive-push")) {
            String path = args[i + 1];
            String name = lastComponent(path);
            return name == null ? null : new AgentArguments(Request.Kind.PUSH, name, path, config);
        }
        if (rest == 3 && args[i].equals("archive-get")) {
            String name = args[i + 1];
            String path = args[i + 2];
            // Names with a slash or a leading dash are never WAL names: the CLI reports them properly.
            if (!plainName(name) || path.isEmpty() || path.startsWith("-")) {
                return null;
            }
            return new AgentArguments(Request.Kind.GET, name, path, config);
        }
        return null;
    }

    /** The command name PostgreSQL sees in the log prefix. */
    public String command() {
        return kind == Request.Kind.GET ? "archive-get" : "archive-push";
    }

    private static String lastComponent(String path) {
        if (path.isEmpty() || path.startsWith("-") || path.endsWith("/")) {
            return null;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        return plainName(name) ? name : null;
    }

    private static boolean plainName(String name) {
        return !name.isEmpty() && !name.startsWith("-") && name.indexOf('/') < 0 && !name.equals(".")
                && !name.equals("..");
    }
}
