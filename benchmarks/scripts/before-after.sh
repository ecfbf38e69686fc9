#!/usr/bin/env bash
# before-after.sh OLD_DIST NEW_DIST [N]
#
# Before/after comparison of two walstow distributions (e.g. the commit before a change and the change), end to end
# on this machine: runs this checkout's e2e-bench.sh 2N times (N default 4), alternating old, new, old, new, ...,
# each run with
#   E2E_TOOLS="cp walstow-daemon" E2E_ROWS="drain get" E2E_REPS=1
# on one backlog (E2E_BACKLOG_DIR: built once, before the first pair, if it is not there; then reused by every run),
# then pools the runs with e2e-pool.py --old ... --new ...: the k-th old run is paired with the k-th new run, and
# every row (walstow daemon: drain wall and CPU, the 96 restore calls wall and CPU, one call) gets its new/old ratio
# per pair, summarized as median (min-max). `cp` runs in every run as the drift control (its new/old ratio is the
# machine's noise). The same harness (this checkout's e2e-bench.sh) measures both distributions.
#
# Both distributions are copied into the output directory first, so a rebuild in a work tree during the runs changes
# nothing. Run as root (as e2e-bench.sh: PostgreSQL runs as user postgres), on a quiet machine.
#
# Output, in BA_OUT (default /var/tmp/walstow-before-after-YYYYMMDD-HHMMSS, UTC):
#   info.txt                   the two distributions (path, version, SHA-256 of their walstow jars), the settings
#   runs/{old,new}-K/          each run's E2E_OUT (its table, raw samples, logs); runs/{old,new}-K.log its stderr
#   e2e-samples-{old,new}-K.tsv  each run's raw samples (tool, rep, metric, value), as in benchmarks/results
#   pooled.md                  the pooled before/after table (also printed)
# A failed run stops the series; the pairs complete by then are pooled, and the script exits 1. `--pool OUTDIR`
# pools the complete pairs of an output directory again (e.g. after an interrupted series).
#
# Environment:
#   BA_OUT             output directory (see above)
#   BA_BACKLOG_DIR     the shared backlog (/var/tmp/e2e-backlog for 96 segments, /var/tmp/e2e-backlog-N otherwise);
#                      reused when complete for E2E_SEGMENTS, else (re)built there
#   BA_TOOLS           ("cp walstow-daemon")   BA_ROWS ("drain get")
#   E2E_SEGMENTS, E2E_TIMEOUT, E2E_ONE_RUNS, E2E_WALSTOW_TOML, E2E_DAEMON_* ...: passed to e2e-bench.sh unchanged
#
# Time: one run is about 50 s here (2 vCPU AMD EPYC VM: cp drain + restore calls ~15 s, walstow daemon drain + restore
# calls ~30 s with its two starts and warm-ups, set-up ~5 s), so one pair about 2 minutes and N = 4 about 8 minutes,
# plus about 1 minute to build the backlog if it is not there. Bounds: e2e-bench.sh's (E2E_TIMEOUT, 900 s, on every
# wait: backlog build, each drain; 120 s per PostgreSQL start; 90 s per daemon start; 40 s per daemon stop).
set -Eeuo pipefail

usage() {
  echo "usage: $0 OLD_DIST NEW_DIST [N]   (a distribution: packaging/target/walstow of a build)" >&2
  echo "       $0 --pool OUTDIR          (pools the complete pairs of an existing output directory again)" >&2
  exit 2
}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pool() { # K: pools the first K pairs of $OUT into $OUT/pooled.md, and prints it
  local k=$1 olds=() news=() i
  for ((i = 1; i <= k; i++)); do olds+=("$OUT/e2e-samples-old-$i.tsv"); news+=("$OUT/e2e-samples-new-$i.tsv"); done
  {
    echo "# walstow before/after: $OUT"
    if [[ -f $OUT/info.txt ]]; then echo; sed 's/^/    /' "$OUT/info.txt"; fi
    echo
    python3 "$HERE/e2e-pool.py" --old "${olds[@]}" --new "${news[@]}"
    echo
    echo "Pooled with: benchmarks/scripts/e2e-pool.py --old $OUT/e2e-samples-old-{1..$k}.tsv --new $OUT/e2e-samples-new-{1..$k}.tsv"
  } >"$OUT/pooled.md.tmp"
  mv "$OUT/pooled.md.tmp" "$OUT/pooled.md"
  cat "$OUT/pooled.md"
}

if [[ ${1:-} == --pool ]]; then
  [[ $# -eq 2 && -d $2 ]] || usage
  OUT=$(cd "$2" && pwd)
  k=0
  while [[ -f $OUT/e2e-samples-old-$((k + 1)).tsv && -f $OUT/e2e-samples-new-$((k + 1)).tsv ]]; do k=$((k + 1)); done
  ((k > 0)) || { echo "no complete pair (e2e-samples-old-1.tsv and e2e-samples-new-1.tsv) in $OUT" >&2; exit 1; }
  pool "$k"
  exit 0
fi
[[ $# -ge 2 && $# -le 3 ]] || usage
N=${3:-4}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }
SEGMENTS=${E2E_SEGMENTS:-96}
TOOLS=${BA_TOOLS:-"cp walstow-daemon"}
ROWS=${BA_ROWS:-"drain get"}
STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT=${BA_OUT:-/var/tmp/walstow-before-after-$STAMP}
if [[ $SEGMENTS == 96 ]]; then BACKLOG=${BA_BACKLOG_DIR:-/var/tmp/e2e-backlog}
else BACKLOG=${BA_BACKLOG_DIR:-/var/tmp/e2e-backlog-$SEGMENTS}; fi

log() { printf '[before-after %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (e2e-bench.sh runs PostgreSQL and walstow as user postgres)"
command -v python3 >/dev/null || die "python3 is needed for the pooling"
for d in "$1" "$2"; do [[ -x $d/bin/walstow && -d $d/lib ]] || die "$d is not a walstow distribution (no bin/walstow)"; done
[[ ! -e $OUT ]] || [[ -z $(ls -A "$OUT") ]] || die "$OUT exists and is not empty"
mkdir -p "$OUT/runs" "$OUT/dist"
OUT=$(cd "$OUT" && pwd)

# Private copies of both distributions: what is measured cannot change under the series.
cp -a "$(cd "$1" && pwd)" "$OUT/dist/old"
cp -a "$(cd "$2" && pwd)" "$OUT/dist/new"
dist_info() { # LABEL SOURCE COPY
  echo "$1: $2"
  echo "  $("$3/bin/walstow" --version 2>&1 | head -1)"
  (cd "$3/lib" && sha256sum walstow-*.jar | sed 's/^/  /')
}
{
  echo "walstow before/after, started $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(nproc) cores"
  dist_info old "$1" "$OUT/dist/old"
  dist_info new "$2" "$OUT/dist/new"
  echo "pairs: $N (old then new); E2E_TOOLS=\"$TOOLS\" E2E_ROWS=\"$ROWS\" E2E_REPS=1 E2E_SEGMENTS=$SEGMENTS"
  echo "backlog: $BACKLOG"
  echo "harness: $HERE/e2e-bench.sh ($(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$HERE" diff --quiet HEAD -- . 2>/dev/null || echo ', modified'))"
} | tee "$OUT/info.txt" >&2

e2e() { # OUTDIR LOG DIST TOOLS ROWS: one e2e-bench.sh run, one repetition, on the shared backlog
  E2E_OUT=$1 WALSTOW_DIST=$3 E2E_TOOLS=$4 E2E_ROWS=$5 E2E_REPS=1 E2E_SEGMENTS=$SEGMENTS E2E_BACKLOG_DIR=$BACKLOG \
    "$HERE/e2e-bench.sh" >"$2" 2>&1
}

# The backlog first, outside the pairs, so that no measured run follows its build (a pgbench load and 1.5 GiB of
# WAL written): one unrecorded cp drain builds it (or finds it complete).
if [[ -f $BACKLOG/complete && $(cat "$BACKLOG/complete") == "$SEGMENTS" ]]; then
  log "reusing the backlog in $BACKLOG ($(cat "$BACKLOG/zstd-ratio" 2>/dev/null || echo '?')x zstd -1)"
else
  log "building the backlog in $BACKLOG (with an unrecorded cp drain)"
  e2e "$OUT/runs/backlog" "$OUT/runs/backlog.log" "$OUT/dist/new" cp drain \
    || { tail -20 "$OUT/runs/backlog.log" >&2; die "building the backlog failed (log: $OUT/runs/backlog.log)"; }
fi

done_pairs=0 failed=0
for ((k = 1; k <= N && !failed; k++)); do
  for side in old new; do
    run=$side-$k
    log "pair $k/$N: $side"
    t0=$SECONDS
    if ! e2e "$OUT/runs/$run" "$OUT/runs/$run.log" "$OUT/dist/$side" "$TOOLS" "$ROWS"; then
      tail -20 "$OUT/runs/$run.log" >&2
      log "run $run failed (log: $OUT/runs/$run.log): the series stops"
      failed=1
      break
    fi
    cp "$OUT/runs/$run/e2e-samples.tsv" "$OUT/e2e-samples-$run.tsv"
    log "$run done in $((SECONDS - t0)) s: $(grep -E ' (drain|restore calls) ' "$OUT/runs/$run.log" | sed 's/^\[e2e [0-9:]*\] //' | paste -sd ';' -)"
  done
  ((failed)) || done_pairs=$k
done

if ((done_pairs > 0)); then
  pool "$done_pairs"
  log "results in $OUT (pooled.md, e2e-samples-{old,new}-K.tsv, runs/)"
else
  log "no complete pair: nothing to pool"
fi
exit "$failed"
