package dev.walstow.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.ZoneId;

/**
 * Found by logback through {@code META-INF/services} when the first logger is asked for: sets walstow's logging up
 * ({@link Logging}) and tells logback to look for no configuration file.
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Logging.install(new Logging(context, System.getenv(), JournalStream.isStderr(System.getenv()),
                ZoneId.systemDefault()));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
