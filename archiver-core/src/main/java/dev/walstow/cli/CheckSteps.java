package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.error.WalstowException;
import dev.walstow.guard.GuardSql;
import dev.walstow.guard.SettingsCheck;
import dev.walstow.metrics.StatusReport;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.WalFileName;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of {@code walstow check}; each prints {@code ok}, {@code FAIL ... HINT: ...} or {@code skip}, and is
 * kept, in order, for {@code --output json}.
 */
final class CheckSteps {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private final PrintWriter out;
    private final List<CheckJson.Step> steps = new ArrayList<>();
    private int failures;

    CheckSteps(PrintWriter out) {
        this.out = out;
    }

    int failures() {
        return failures;
    }

    List<CheckJson.Step> steps() {
        return List.copyOf(steps);
    }

    void pass(String what) {
        steps.add(new CheckJson.Step(CheckJson.Status.ok, what));
        out.println("ok   " + what);
        out.flush();
    }

    void fail(String line) {
        failures++;
        steps.add(new CheckJson.Step(CheckJson.Status.fail, line));
        out.println("FAIL " + line);
        out.flush();
    }

    void skip(String what, String why) {
        steps.add(new CheckJson.Step(CheckJson.Status.skip, what + ": " + why));
        out.println("skip " + what + ": " + why);
        out.flush();
    }

    Optional<RepositoryBinding> repository(Repository repository) {
        try {
            RepositoryBinding binding = repository.requireBinding();
            pass("repository " + repository.location() + " is reachable and bound to " + binding.describe());
            return Optional.of(binding);
        } catch (WalstowException e) {
            fail("repository " + repository.location() + ": " + e.oneLine());
            return Optional.empty();
        }
    }

    Optional<GuardSql.Settings> postgres(GuardSql sql, WalstowConfig cfg, Optional<RepositoryBinding> binding) {
        GuardSql.Settings s;
        try {
            s = sql.settings();
        } catch (WalstowException e) {
            fail(e.oneLine());
            return Optional.empty();
        }
        pass("PostgreSQL answers: archive_mode = " + s.archiveMode() + ", wal_level = " + s.walLevel()
                + ", archive_timeout = " + s.archiveTimeoutSeconds() + "s, archive_command = '" + s.archiveCommand()
                + "'");
        List<SettingsCheck.Finding> findings = SettingsCheck.check(s, cfg.guard().rpo(), cfg.guard().enabled());
        findings.forEach(f -> fail(f.line()));
        if (binding.isPresent() && binding.get().identity().systemIdentifier() != s.systemIdentifier()) {
            fail("the repository is bound to system identifier " + binding.get().identity().systemIdentifierText()
                    + " but this server is " + Long.toUnsignedString(s.systemIdentifier()) + " HINT: point "
                    + "[repository] at this cluster's repository, or [postgres] at the cluster it belongs to");
        }
        return Optional.of(s);
    }

    void switchAndWait(GuardSql sql, Repository repository, Duration timeout) throws InterruptedException {
        String name;
        try {
            sql.writeMarker();
            Lsn end = sql.switchWal();
            name = sql.walFileName(end);
        } catch (WalstowException e) {
            fail("forced segment switch: " + e.oneLine());
            return;
        }
        String key = RepositoryLayout.keyOf(WalFileName.parse(name));
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String lastProblem = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                if (repository.store().head(key).isPresent()) {
                    pass("forced a segment switch: " + name + " reached the repository in "
                            + String.format("%.1f", (System.nanoTime() - started) / 1e9) + " s");
                    return;
                }
            } catch (StorageException e) {
                lastProblem = e.getMessage();
            }
            Thread.sleep(200);
        }
        fail("forced a segment switch, but " + name + " was not in " + repository.location() + " after "
                + timeout.toSeconds() + " s" + (lastProblem == null ? "" : " (" + lastProblem + ")")
                + " HINT: look at 'walstow status' and the daemon's log, and at pg_stat_archiver.last_failed_wal");
    }

    void daemon(DaemonStatusClient.Answer answer) {
        if (answer.report().isEmpty()) {
            skip("daemon RPO exposure", answer.problem());
            return;
        }
        StatusReport.Rpo rpo = answer.report().get().rpo();
        if (rpo.breached()) {
            fail("RPO breached: " + Math.round(rpo.exposureSeconds()) + " s of committed WAL is not in the repository "
                    + "(RPO " + Math.round(rpo.targetSeconds()) + " s) HINT: run 'walstow status' for the backlog "
                    + "and the last errors");
        } else {
            pass("daemon RPO exposure " + Math.round(rpo.exposureSeconds()) + " s of " + Math.round(rpo.targetSeconds())
                    + " s");
        }
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
