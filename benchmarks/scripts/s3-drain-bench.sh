#!/usr/bin/env bash
# Drain of a 96-segment (16 MiB) backlog by the daemon into S3 (s3proxy on loopback, on disk) versus posix, on real
# PostgreSQL 15, as root (PostgreSQL runs as postgres). Prints one "DRAIN ..." line per run.
# Usage: benchmarks/scripts/s3-drain-bench.sh [REPS]   (default 2; about 2 minutes per rep and backend)
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -B -o -pl packaging -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=S3DrainBenchmark -Dfailsafe.failIfNoSpecifiedTests=false -Dwalstow.bench.reps="${1:-2}" \
  | grep -E "^DRAIN |Tests run:|BUILD|ERROR"
