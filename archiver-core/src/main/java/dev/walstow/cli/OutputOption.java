package dev.walstow.cli;

import dev.walstow.runtime.Json;
import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine.Option;

/**
 * The {@code --output text|json} option of every command that reports a result (docs/json.md): text for people, as
 * it always was; json for scripts, one document on stdout in {@link Json}'s style. Errors stay one line on stderr
 * either way, so a script reads the document from stdout and the exit status.
 */
final class OutputOption {
    enum Format { text, json }

    /** Where a command's text goes while it prints JSON. */
    static final PrintWriter NO_TEXT = new PrintWriter(Writer.nullWriter());

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
            description = "text (default) for people, or json: one document for scripts (docs/json.md).")
    Format format;

    boolean json() {
        return format == Format.json;
    }

    /** Where the command's text lines go: {@code out}, or nowhere with {@code --output json}. */
    PrintWriter text(PrintWriter out) {
        return json() ? NO_TEXT : out;
    }

    static void print(PrintWriter out, Object document) {
        out.println(Json.write(document));
        out.flush();
    }
}
