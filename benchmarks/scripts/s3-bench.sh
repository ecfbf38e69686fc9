#!/usr/bin/env bash
# S3 throughput against s3proxy on loopback: upload/download MiB/s at concurrency 1/4/8/16 (Netty and CRT HTTP
# clients) and the drain time of 96 × 16 MiB segments into S3 versus posix. Prints Markdown tables.
# Usage: benchmarks/scripts/s3-bench.sh [WORKDIR] [OBJECTS_PER_POINT]   (defaults /tmp/walstow-s3-bench, 32)
# Needs ~2 GiB free in WORKDIR. Results of a run: benchmarks/results/s3.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=${1:-/tmp/walstow-s3-bench}
objects=${2:-32}
mvn -B -q -o -pl storage test-compile
mvn -B -q -o -pl storage dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -Xmx8g --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "storage/target/test-classes:storage/target/classes:$(cat storage/target/bench.cp)" \
  dev.walstow.storage.s3.S3Throughput "$work" "$objects"
