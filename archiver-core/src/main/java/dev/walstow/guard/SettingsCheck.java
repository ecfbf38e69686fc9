package dev.walstow.guard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which PostgreSQL settings make the RPO impossible or archiving go elsewhere. Logged as warnings when the daemon
 * starts and reported as failures by {@code walstow check}: one line and a hint each.
 */
public final class SettingsCheck {

    public record Finding(String problem, String hint) {
        public String line() {
            return problem + " HINT: " + hint;
        }
    }

    private SettingsCheck() {}

    /**
     * @param guardEnabled whether the daemon's guard may force segment switches ({@code [guard] enabled})
     */
    public static List<Finding> check(GuardSql.Settings s, Duration rpo, boolean guardEnabled) {
        List<Finding> findings = new ArrayList<>();
        boolean standby = s.inRecovery();
        if (s.archiveMode().equals("off")) {
            findings.add(new Finding("archive_mode is off: PostgreSQL archives nothing, the RPO of " + human(rpo)
                    + " cannot be held", "set archive_mode = on in postgresql.conf and restart PostgreSQL"));
        } else if (standby && !s.archiveMode().equals("always")) {
            findings.add(new Finding("this server is a standby with archive_mode = " + s.archiveMode()
                    + ": it archives nothing itself", "run walstow's RPO guard on the primary, or set "
                    + "archive_mode = always here"));
        }
        if (!s.archiveCommand().contains("walstow") || !s.archiveCommand().contains("archive-push")) {
            findings.add(new Finding("archive_command is '" + s.archiveCommand() + "', not walstow",
                    "set archive_command = 'walstow archive-push %p' and reload PostgreSQL"));
        }
        if (!s.restoreCommand().isEmpty()
                && (!s.restoreCommand().contains("walstow") || !s.restoreCommand().contains("archive-get"))) {
            findings.add(new Finding("restore_command is '" + s.restoreCommand() + "', not walstow",
                    "set restore_command = 'walstow archive-get %f %p', or leave it empty on a primary"));
        }
        if (s.walLevel().equals("minimal")) {
            findings.add(new Finding("wal_level is minimal: archived WAL cannot rebuild the cluster",
                    "set wal_level = replica (or logical) and restart PostgreSQL"));
        }
        Duration timeout = Duration.ofSeconds(s.archiveTimeoutSeconds());
        boolean timeoutHolds = s.archiveTimeoutSeconds() > 0 && timeout.compareTo(rpo.dividedBy(2)) <= 0;
        if (!standby && !timeoutHolds) {
            String timeoutText = s.archiveTimeoutSeconds() == 0 ? "archive_timeout is 0 (off)"
                    : "archive_timeout is " + s.archiveTimeoutSeconds() + " s";
            if (!guardEnabled) {
                findings.add(new Finding("the RPO of " + human(rpo) + " cannot be held on a quiet server: [guard] "
                        + "is disabled and " + timeoutText, "enable [guard], or set archive_timeout to at most "
                        + rpo.dividedBy(2).toSeconds() + "s"));
            } else if (!s.maySwitchWal()) {
                findings.add(new Finding("the RPO of " + human(rpo) + " cannot be held on a quiet server: the role "
                        + "may not execute pg_switch_wal() and " + timeoutText,
                        "GRANT EXECUTE ON FUNCTION pg_switch_wal() TO the [postgres] user, or set archive_timeout "
                                + "to at most " + rpo.dividedBy(2).toSeconds() + "s"));
            }
        }
        return findings;
    }

    static String human(Duration d) {
        return d.toSeconds() % 60 == 0 && d.toSeconds() >= 60 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
