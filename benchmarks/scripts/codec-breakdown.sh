#!/usr/bin/env bash
# Per-stage CPU cost of the codec on real WAL (see CodecBreakdown.java): where a segment's ~41 ms go.
# Usage: benchmarks/scripts/codec-breakdown.sh PG_WAL_DIR     (a directory of 16 MiB segments, e.g. a data
#        directory's pg_wal or e2e-bench.sh's $E2E_BACKLOG_DIR/data/pg_wal); needs packaging/target/walstow.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
dist=$root/packaging/target/walstow
[[ -d ${1:-} ]] || { echo "usage: $0 PG_WAL_DIR" >&2; exit 2; }
[[ -d $dist/lib ]] || { echo "build first: mvn -B -q -o package -DskipTests" >&2; exit 2; }
keys=$(mktemp -d); trap 'rm -rf "$keys"' EXIT
JAVA_HOME=$java_home "$dist/bin/walstow" keygen --public-key "$keys/pub.asc" --secret-key "$keys/sec.asc" >/dev/null
"$java_home/bin/java" -cp "$dist/lib/*" "$root/benchmarks/scripts/CodecBreakdown.java" "$1" "$keys/pub.asc"
