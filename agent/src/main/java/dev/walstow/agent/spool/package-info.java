/**
 * What the daemon publishes in {@code pg_wal/.walstow} for the launcher and the agent, and how both decide whether
 * they may trust it: the {@link dev.walstow.agent.spool.Serving} file (which daemon, which repository, which
 * configuration file, and a heartbeat in its mtime) and the configuration file's fingerprint. JDK only: the agent
 * JVM and the daemon share it, and packaging/src/main/c/walstow.c mirrors it (keep the two in step; the launcher
 * tests in packaging check them against each other).
 */
package dev.walstow.agent.spool;
