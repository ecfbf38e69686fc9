#!/usr/bin/env bash
# run-codec-bench.sh [SAMPLEDIR]
#
# The whole "per-segment codec" measurement in one go, so that walstow and the CLI tools
# see the same machine state: makes the WAL sample if missing, builds the benchmarks jar,
# runs SegmentCodecBenchmark single-threaded (JMH JSON in benchmarks/target/results/),
# then codec-baselines.sh, and prints both as MB/s per core (median, min-max).
#
# Environment: JAVA_HOME (default temurin 25), JMH_ARGS (extra JMH options, e.g. "-p level=1"),
# REPS (CLI repetitions, default 5), SKIP_BUILD=1, SKIP_BASELINES=1.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SAMPLE=${1:-$ROOT/benchmarks/target/wal-sample}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
RESULTS=$ROOT/benchmarks/target/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"

"$ROOT/benchmarks/scripts/make-wal-sample.sh" "$SAMPLE" >/dev/null
SAMPLE=$(cd "$SAMPLE" && pwd)
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$ROOT" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi

JSON=$RESULTS/codec-jmh-$STAMP.json
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dwalstow.bench.wal="$SAMPLE" \
  -jar "$ROOT/benchmarks/target/benchmarks.jar" SegmentCodecBenchmark -t 1 -rf json -rff "$JSON" ${JMH_ARGS:-} \
  >"$RESULTS/codec-jmh-$STAMP.log" 2>&1 || { tail -40 "$RESULTS/codec-jmh-$STAMP.log" >&2; exit 1; }

grep -h "walstow sample ratio" "$RESULTS/codec-jmh-$STAMP.log" || true
python3 - "$JSON" <<'PY'
import json, statistics, sys
rows = json.load(open(sys.argv[1]))
print(f"# walstow WalCodec (JMH, 1 thread, 1 fork; spread over measurement iterations)")
print(f"{'benchmark':<28} {'median MB/s':>11} {'min-max':>17} {'ratio':>7} {'iters':>5}")
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    p = r.get("params", {})
    label = f"{name} level={p.get('level')} {p.get('encryption')}"
    plain = [x / 1e6 for it in r["secondaryMetrics"]["plainBytes"]["rawData"] for x in it]
    stored = [x / 1e6 for it in r["secondaryMetrics"]["storedBytes"]["rawData"] for x in it]
    print(f"{label:<28} {statistics.median(plain):>11.1f} {min(plain):>8.1f}-{max(plain):<8.1f} "
          f"{sum(plain) / sum(stored):>7.2f} {len(plain):>5}")
PY
echo
if [[ ${SKIP_BASELINES:-0} != 1 ]]; then
  RAW_OUT=$RESULTS/baselines-$STAMP.tsv "$ROOT/benchmarks/scripts/codec-baselines.sh" "$SAMPLE" 2>/dev/null
fi
