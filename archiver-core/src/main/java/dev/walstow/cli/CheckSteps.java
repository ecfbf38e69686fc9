package dev.walstow.cli;

import dev.walstow.config.WalstowConfig;
import dev.walstow.error.WalstowException;
import dev.walstow.guard.ArchiveCommandProbe;
import dev.walstow.guard.GuardSql;
import dev.walstow.guard.SettingsCheck;
import dev.walstow.metrics.StatusReport;
import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.runtime.KeyCheck;
import dev.walstow.storage.StorageException;
import dev.walstow.wal.Lsn;
import dev.walstow.wal.WalFileName;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    private static final Duration POLL = Duration.ofMillis(200);
    /** The longest archive_command run check waits for: a JVM start, the configuration, the keys, one request. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    /** Time for the waits: real, or a test's. */
    interface Clock {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d);
            }
        };
    }

    private final PrintWriter out;
    private final List<CheckJson.Step> steps = new ArrayList<>();
    private final Clock clock;
    private int failures;

    CheckSteps(PrintWriter out) {
        this(out, Clock.SYSTEM);
    }

    CheckSteps(PrintWriter out, Clock clock) {
        this.out = out;
        this.clock = clock;
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

    /** The configured keys, loaded and exercised ({@link KeyCheck}). @return whether they work */
    boolean keys(WalstowConfig cfg) {
        try {
            pass("keys: " + KeyCheck.run(cfg.encryption()));
            return true;
        } catch (WalstowException e) {
            fail("keys: " + e.oneLine());
            return false;
        }
    }

    /**
     * archive_command run the way PostgreSQL runs it ({@link ArchiveCommandProbe}). @return false only if it fails
     * (a skip is no verdict)
     */
    boolean archiveCommand(GuardSql.Settings settings, Optional<Path> dataDirectory, Path config) {
        if (dataDirectory.isEmpty()) {
            skip("archive_command as PostgreSQL runs it", "the data directory is unknown (grant the role "
                    + "pg_read_all_settings, or set [postgres] data)");
            return true;
        }
        ArchiveCommandProbe.Result r = ArchiveCommandProbe.run(settings.archiveCommand(), dataDirectory.get(), config,
                PROBE_TIMEOUT);
        switch (r.verdict()) {
            case PASS -> pass(r.line());
            case FAIL -> fail(r.line());
            case SKIP -> skip("archive_command as PostgreSQL runs it", r.line());
        }
        return r.verdict() != ArchiveCommandProbe.Verdict.FAIL;
    }

    /** Why archive_command failed for a file, in one line: how check learns it ({@link ArchiveCommandProbe#rerun}). */
    interface FailureCause {
        String of(String walFileName);
    }

    /**
     * Forces a segment switch and waits for the segment in the repository. PostgreSQL is asked too, every round
     * ({@code pg_stat_archiver}): once it reports a failed archive_command, waiting longer cannot help, and check
     * fails at once with {@code cause}'s account of that failure; once it reports the segment archived while the
     * repository lacks it, archive_command stores elsewhere.
     *
     * @param whereToLook the hint when the wait ends with neither: where archiving logs its errors
     */
    void switchAndWait(GuardSql sql, Repository repository, Duration timeout, FailureCause cause, String whereToLook)
            throws InterruptedException {
        String name;
        Optional<GuardSql.Archiver> before;
        try {
            before = archiver(sql);
            sql.writeMarker();
            Lsn end = sql.switchWal();
            name = sql.walFileName(end);
        } catch (WalstowException e) {
            fail("forced segment switch: " + e.oneLine());
            return;
        }
        String key = RepositoryLayout.keyOf(WalFileName.parse(name));
        long started = clock.nanoTime();
        long deadline = started + timeout.toNanos();
        String lastProblem = null;
        while (clock.nanoTime() - deadline < 0) {
            Optional<GuardSql.Archiver> now = archiver(sql);
            if (before.isPresent() && now.isPresent() && now.get().failedCount() > before.get().failedCount()) {
                String failed = now.get().lastFailedWal().orElse(name);
                fail("forced a segment switch, but PostgreSQL's archive_command failed for " + failed
                        + " (pg_stat_archiver.failed_count rose by " + (now.get().failedCount()
                        - before.get().failedCount()) + "): " + cause.of(failed));
                return;
            }
            try {
                if (repository.store().head(key).isPresent()) {
                    pass("forced a segment switch: " + name + " reached the repository in "
                            + String.format("%.1f", (clock.nanoTime() - started) / 1e9) + " s");
                    return;
                }
            } catch (StorageException e) {
                lastProblem = e.getMessage();
            }
            if (now.isPresent() && archivedAtLeast(now.get().lastArchivedWal(), name)) {
                fail("forced a segment switch: PostgreSQL reports " + name + " archived, but it is not in "
                        + repository.location() + " HINT: archive_command stores it elsewhere: make it use this "
                        + "configuration (walstow --config FILE archive-push %p) and reload PostgreSQL");
                return;
            }
            clock.sleep(POLL);
        }
        fail("forced a segment switch, but " + name + " was not in " + repository.location() + " after "
                + timeout.toSeconds() + " s" + (lastProblem == null ? "" : " (" + lastProblem + ")")
                + " HINT: " + whereToLook);
    }

    private static Optional<GuardSql.Archiver> archiver(GuardSql sql) {
        try {
            return Optional.of(sql.archiver());
        } catch (WalstowException e) {
            return Optional.empty(); // the wait goes on with the repository alone
        }
    }

    /** Whether PostgreSQL's last archived file is {@code segment} or a later one (a history file says nothing). */
    static boolean archivedAtLeast(Optional<String> lastArchived, String segment) {
        return lastArchived.filter(f -> f.length() >= 24 && f.substring(0, 24).matches("[0-9A-F]{24}"))
                .map(f -> f.substring(0, 24).compareTo(segment) >= 0).orElse(false);
    }

    /** @return whether a daemon answered */
    boolean daemon(DaemonStatusClient.Answer answer) {
        if (answer.report().isEmpty()) {
            skip("daemon RPO exposure", answer.problem().startsWith(DaemonStatusClient.NO_DAEMON)
                    ? "no daemon running (archiving works in-process, slower): " + answer.problem()
                    : answer.problem());
            return false;
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
        return true;
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
