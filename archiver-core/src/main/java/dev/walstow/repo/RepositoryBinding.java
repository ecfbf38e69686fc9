package dev.walstow.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.WalSegmentSize;

/**
 * The cluster a repository belongs to, written once by {@code walstow init}. Every push checks WAL headers against
 * it, so WAL from another cluster (a clone, a re-initdb'd server, a misconfigured standby) is refused instead of
 * mixed into this cluster's history.
 *
 * @param format repository format version, to refuse repositories written by an incompatible walstow
 * @param systemIdentifier PostgreSQL's database system identifier (pg_control)
 * @param pgMajor PostgreSQL major version (WAL formats differ between majors)
 * @param walSegmentSize WAL segment size in bytes
 * @param createdAt ISO-8601 instant of {@code walstow init}
 * @param createdBy walstow version that initialized it
 */
public record RepositoryBinding(
        @JsonProperty("format") int format,
        @JsonProperty("system-identifier") String systemIdentifier,
        @JsonProperty("pg-major") int pgMajor,
        @JsonProperty("wal-segment-size") int walSegmentSize,
        @JsonProperty("created-at") String createdAt,
        @JsonProperty("created-by") String createdBy) {

    public static final int FORMAT = 1;

    public static RepositoryBinding of(ClusterIdentity cluster, String createdAt, String version) {
        return new RepositoryBinding(FORMAT, Long.toUnsignedString(cluster.systemIdentifier()), cluster.pgMajor(),
                cluster.segmentSize().bytes(), createdAt, version);
    }

    /** The identity WAL headers must match. */
    public ClusterIdentity identity() {
        return new ClusterIdentity(Long.parseUnsignedLong(systemIdentifier), pgMajor,
                new WalSegmentSize(walSegmentSize));
    }

    /** "system 7301… (PostgreSQL 15, 16 MiB segments)" for messages. */
    public String describe() {
        return "system " + systemIdentifier + " (PostgreSQL " + pgMajor + ", " + (walSegmentSize >> 20)
                + " MiB WAL segments)";
    }
}
