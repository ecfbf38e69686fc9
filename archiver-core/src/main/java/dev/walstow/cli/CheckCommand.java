package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.error.WalstowException;
import dev.walstow.guard.ArchiveCommandProbe;
import dev.walstow.guard.GuardSql;
import dev.walstow.guard.JdbcGuardSql;
import dev.walstow.pg.PgConnections;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.runtime.Components;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {
                "Check end to end that WAL gets archived.",
                "Checks the configuration, the keys (a probe encrypted and, with a secret key, decrypted), the "
                        + "repository's reachability and binding, PostgreSQL's settings and archive_command run the "
                        + "way PostgreSQL runs it, then forces a segment switch and waits until that segment is in "
                        + "the repository.",
                "Exit 0 only if all hold; every failure is one line with a hint. Also reports the daemon's RPO "
                        + "exposure if it runs."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for the switched segment to reach the repository (default: 60s).")
    String timeout;

    @Mixin
    OutputOption output;

    @Spec
    CommandSpec spec;

    /** The server's data directory, else the configured one. */
    private static Optional<Path> dataDirectory(GuardSql sql, WalstowConfig cfg) {
        try {
            return sql.dataDirectory().or(() -> cfg.postgres().data());
        } catch (WalstowException e) {
            return cfg.postgres().data();
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        CheckSteps steps = new CheckSteps(output.text(out));
        Duration wait = Duration.ofSeconds(60);
        try {
            wait = CheckSteps.parseDuration(timeout);
        } catch (IllegalArgumentException e) {
            steps.fail("--timeout " + e.getMessage() + " HINT: write it like 30s or 5m");
            return finish(steps, out);
        }
        WalstowConfig cfg;
        try {
            cfg = config.load();
        } catch (WalstowException e) {
            steps.fail("configuration: " + e.oneLine());
            return finish(steps, out);
        }
        steps.pass("configuration " + cfg.source() + " is valid");
        steps.keys(cfg);
        boolean daemonRuns = steps.daemon(DaemonStatusClient.ask(cfg.metrics()));
        try (Repository repository = Components.repository(cfg, false);
                GuardSql sql = new JdbcGuardSql(new PgConnections(cfg.postgres(), Duration.ofSeconds(30)))) {
            Optional<RepositoryBinding> binding = steps.repository(repository);
            Optional<GuardSql.Settings> settings = steps.postgres(sql, cfg, binding);
            Optional<Path> data = settings.isEmpty() ? Optional.empty() : dataDirectory(sql, cfg);
            boolean archiveCommandWorks = settings.isEmpty()
                    || steps.archiveCommand(settings.get(), data, cfg.source());
            if (binding.isEmpty()) {
                steps.skip("forced segment switch", "the repository is not usable");
            } else if (settings.isEmpty()) {
                steps.skip("forced segment switch", "PostgreSQL is not reachable");
            } else if (settings.get().archiveMode().equals("off") || settings.get().inRecovery()) {
                steps.skip("forced segment switch", "this server does not archive (archive_mode = "
                        + settings.get().archiveMode() + (settings.get().inRecovery() ? ", in recovery)" : ")"));
            } else if (!archiveCommandWorks) {
                steps.skip("forced segment switch", "archive_command fails (above)");
            } else {
                String command = settings.get().archiveCommand();
                steps.switchAndWait(sql, repository, wait, failed -> data.map(d -> ArchiveCommandProbe.rerun(
                        command, d, failed, CheckSteps.PROBE_TIMEOUT).line()).orElse("its error is in PostgreSQL's "
                        + "log"), daemonRuns ? "look at 'walstow status' and the daemon's log (journalctl -u "
                        + "walstow), and at pg_stat_archiver.last_failed_wal" : "no daemon runs, so archive_command "
                        + "archives in-process and its errors are in PostgreSQL's log; see "
                        + "pg_stat_archiver.last_failed_wal");
            }
        }
        output.text(out).println(steps.failures() == 0 ? "all checks passed" : steps.failures() + " check(s) failed");
        return finish(steps, out);
    }

    /** Prints the JSON document with {@code --output json} (the text went out step by step); the exit status. */
    private int finish(CheckSteps steps, PrintWriter out) {
        if (output.json()) {
            OutputOption.print(out, CheckJson.of(steps));
        }
        out.flush();
        return steps.failures() == 0 ? 0 : 1;
    }
}
