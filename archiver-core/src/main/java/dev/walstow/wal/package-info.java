/**
 * The PostgreSQL WAL model: timelines, LSNs, segment sizes, WAL file names, the long page header that starts every
 * segment, and the identity of a cluster (system identifier, major version, segment size).
 *
 * <p>Everything here is a value parsed once at the edge (a command-line argument, a file in {@code pg_wal}) so that
 * the rest of walstow never re-parses strings. Parsing a name the caller typed fails with
 * {@link dev.walstow.error.UserError}; bytes that are not what their name says fail with
 * {@link dev.walstow.error.WalRejected}.
 */
package dev.walstow.wal;
