package dev.walstow.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.walstow.config.WalstowConfig.RetryConfig;
import dev.walstow.error.DataError;
import dev.walstow.error.RepositoryError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final Retrier retrier = new Retrier(
            new RetryConfig(4, Duration.ofMillis(100), Duration.ofMillis(300)), sleeps::add);

    @Test
    @DisplayName("a retryable failure is retried up to the configured attempts, then surfaces")
    void boundedRetries() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.call("op", () -> {
            calls.incrementAndGet();
            throw new RepositoryError("store down", "", true, null);
        })).isInstanceOf(RepositoryError.class).hasMessage("store down");
        assertThat(calls).hasValue(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    @DisplayName("backoff doubles with jitter and never exceeds the cap")
    void backoffCapped() {
        assertThatThrownBy(() -> retrier.call("op", () -> {
            throw new RepositoryError("store down", "", true, null);
        }));
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(sleeps.get(2)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
    }

    @Test
    @DisplayName("a non-retryable failure (wrong key) is not retried")
    void noRetryForKeyErrors() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.call("op", () -> {
            calls.incrementAndGet();
            throw DataError.key("wrong key", "", null);
        })).isInstanceOf(DataError.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    @DisplayName("success after transient failures returns the value")
    void recovers() {
        AtomicInteger calls = new AtomicInteger();
        String result = retrier.call("op", () -> {
            if (calls.incrementAndGet() < 3) {
                throw DataError.integrity("torn read", "", null);
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    @DisplayName("a cancelled (interrupted) operation is not retried: its failure is the cancellation's echo")
    void noRetryWhenInterrupted() {
        AtomicInteger calls = new AtomicInteger();
        try {
            assertThatThrownBy(() -> retrier.call("op", () -> {
                calls.incrementAndGet();
                Thread.currentThread().interrupt();
                throw new RepositoryError("ClosedByInterruptException", "", true, null);
            })).isInstanceOf(RepositoryError.class);
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }
}
