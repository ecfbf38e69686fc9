package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.guard.PgWalBacklog;
import dev.walstow.guard.WalBacklog;
import dev.walstow.metrics.StatusReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Show the state of archiving on one screen.",
                "Daemon up, RPO exposure against the RPO, backlog, throughput, last errors: asks the daemon's "
                        + "metrics endpoint ([metrics] listen).",
                "Exit 0 if the daemon answers and the RPO holds."})
final class StatusCommand implements Callable<Integer> {
    enum Output { text, json }

    @Mixin
    ConfigOption config;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json (the daemon's /status document, for scripts).")
    Output output;

    @Option(names = "--pgdata", paramLabel = "DIR",
            description = "Data directory, to report the backlog when no daemon answers (default: [postgres] data).")
    Path pgdata;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        WalstowConfig cfg = config.load();
        PrintWriter out = spec.commandLine().getOut();
        DaemonStatusClient.Answer answer = DaemonStatusClient.ask(cfg.metrics());
        Optional<Path> data = Optional.ofNullable(pgdata).or(() -> cfg.postgres().data());
        if (output == Output.json) {
            out.println(answer.report().isPresent() ? answer.json().strip() : "{\"daemon\": \"down\", \"problem\": "
                    + quote(answer.problem()) + localJson(data) + "}");
        } else if (answer.report().isPresent()) {
            out.print(StatusText.render(answer.report().get(), Instant.now()));
        } else {
            out.println("walstow daemon: NOT RUNNING (" + answer.problem() + ")");
            data.map(d -> new PgWalBacklog(d.resolve("pg_wal")).snapshot()).ifPresent(b -> out.println(
                    "backlog      " + b.files() + " files, " + StatusText.bytes(b.bytes()) + b.oldestName()
                            .map(n -> " (oldest " + n + ")").orElse("")));
        }
        out.flush();
        return answer.report().map(r -> r.rpo().breached() ? 1 : 0).orElse(1);
    }

    private static String localJson(Optional<Path> data) {
        if (data.isEmpty()) {
            return "";
        }
        WalBacklog.Snapshot b = new PgWalBacklog(data.get().resolve("pg_wal")).snapshot();
        return ", \"backlog\": {\"files\": " + b.files() + ", \"bytes\": " + b.bytes() + "}";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
