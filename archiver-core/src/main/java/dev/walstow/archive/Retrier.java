package dev.walstow.archive;

import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.WalstowException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats an operation that failed with a {@linkplain WalstowException#retryable() retryable} error, a bounded
 * number of times, with exponential backoff and full jitter (so that several agents retrying against one store do
 * not hammer it in lock-step). Non-retryable errors and the last failure go straight to the caller.
 */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** Sleeping is injectable so tests of retry counts do not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final RetryConfig config;
    private final Sleeper sleeper;
    private final Runnable onRetry;

    public Retrier(RetryConfig config) {
        this(config, d -> Thread.sleep(d));
    }

    public Retrier(RetryConfig config, Sleeper sleeper) {
        this(config, sleeper, () -> {});
    }

    private Retrier(RetryConfig config, Sleeper sleeper, Runnable onRetry) {
        this.config = config;
        this.sleeper = sleeper;
        this.onRetry = onRetry;
    }

    /** The same policy, also calling {@code listener} before each repeated attempt (the daemon counts them). */
    public Retrier onRetry(Runnable listener) {
        return new Retrier(config, sleeper, listener);
    }

    public <T> T call(String what, Supplier<T> operation) {
        Duration backoff = config.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.get();
            } catch (WalstowException e) {
                // An interrupted thread was cancelled (a parallel task's sibling failed): its failure is only the
                // echo of the cancellation (ClosedByInterruptException), not worth a warning nor another attempt.
                if (!e.retryable() || attempt >= config.attempts() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                Duration wait = jitter(backoff);
                LOG.warn("{}: attempt {}/{} failed, retrying in {} ms: {}", what, attempt, config.attempts(),
                        wait.toMillis(), e.oneLine());
                sleep(wait, e);
                onRetry.run();
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
        }
    }

    private void sleep(Duration wait, WalstowException pending) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            pending.addSuppressed(ie);
            throw pending;
        }
    }

    private static Duration jitter(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
