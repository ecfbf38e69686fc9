package dev.walstow.agent;

/** Runs the full walstow CLI for the original arguments and returns its exit status (docs/exit-codes.md). */
@FunctionalInterface
public interface InProcessRunner {
    int run(String... args);
}
