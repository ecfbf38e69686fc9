package dev.walstow.pg;

import dev.walstow.agent.Failures;
import dev.walstow.config.WalstowConfig.PostgresConfig;
import dev.walstow.error.LocalIoError;
import dev.walstow.error.RepositoryError;
import dev.walstow.error.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * SQL connections to the cluster, built from {@code [postgres]}: over the Unix socket when {@code host} is a
 * directory (the default, with peer authentication), else TCP. Every connection has a connect timeout and a
 * server-side statement timeout, so no SQL call of walstow's can hang forever.
 */
public final class PgConnections {
    private final PostgresConfig config;
    private final Duration statementTimeout;

    public PgConnections(PostgresConfig config, Duration statementTimeout) {
        this.config = config;
        this.statementTimeout = statementTimeout;
    }

    /** Where walstow connects, for messages (never contains the password). */
    public String describe() {
        return config.user() + "@" + config.host() + ":" + config.port() + "/" + config.database();
    }

    public Connection open(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "15");
        p.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis());
        config.passwordFile().ifPresent(f -> p.setProperty("password", readPassword(f)));
        String host = config.host();
        if (host.startsWith("/")) {
            p.setProperty("socketFactory", UnixDomainSocketFactory.class.getName());
            p.setProperty("socketFactoryArg", Path.of(host, ".s.PGSQL." + config.port()).toString());
            host = "localhost";
        }
        String url = "jdbc:postgresql://" + host + ":" + config.port() + "/" + config.database();
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("28")) {
                throw UserError.config("cannot log in to PostgreSQL as " + describe() + ": " + e.getMessage(),
                        "grant the role access in pg_hba.conf or set [postgres] password-file");
            }
            throw new RepositoryError("cannot connect to PostgreSQL at " + describe() + ": " + e.getMessage(),
                    "check that the server runs and [postgres] host/port point at it", true, e);
        }
    }

    private static String readPassword(Path file) {
        try {
            String text = Files.readString(file);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).replace("\r", "");
        } catch (IOException e) {
            throw new LocalIoError("cannot read [postgres] password-file " + file + ": " + Failures.describe(e),
                    "make it readable (mode 0600) by the user running walstow", e);
        }
    }
}
