package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.guard.PgWalBacklog;
import dev.walstow.guard.WalBacklog;
import dev.walstow.metrics.StatusReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
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
    @Mixin
    ConfigOption config;

    @Mixin
    OutputOption output;

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
        if (output.json()) {
            OutputOption.print(out, answer.report().orElseGet(() -> StatusReport.notRunning(answer.problem(),
                    cfg.guard().rpo().toSeconds(), data.map(StatusCommand::localBacklog)
                            .orElse(StatusReport.Backlog.UNKNOWN))));
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

    /** The .ready backlog as the daemon's guard would report it, read here from pg_wal. */
    private static StatusReport.Backlog localBacklog(Path data) {
        WalBacklog.Snapshot b = new PgWalBacklog(data.resolve("pg_wal")).snapshot();
        return new StatusReport.Backlog(b.files(), b.bytes(), b.oldestName().orElse(null), b.oldestMtime()
                .map(t -> Math.max(0, Duration.between(t, Instant.now()).toSeconds())).orElse(0L));
    }
}
