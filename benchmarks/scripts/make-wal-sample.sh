#!/usr/bin/env bash
# make-wal-sample.sh OUTDIR [N]
#
# Builds a realistic sample of N (default 96) 16 MiB WAL segments from a throwaway,
# real PostgreSQL 15 cluster, for codec and end-to-end benchmarks.
#
# Workload (mixed, like a busy OLTP primary):
#   1. pgbench -i (scale $WAL_SAMPLE_SCALE, default 20): bulk COPY, index build, vacuum
#   2. CHECKPOINT, then rounds of a mixed pgbench run (a few clients) until N segments are
#      archived: TPC-B-like transactions plus application-like rows (uuid, timestamptz,
#      text, jsonb) inserted in batches, some updated, some deleted.
#   Checkpoints then happen naturally (max_wal_size), so segments carry full-page images.
#   The SQL and the round mix live in lib/workload.sh, shared with e2e-bench.sh's backlog.
#
# Output: OUTDIR/<24 hex digit segment names> (exactly N files of 16 MiB, consecutive,
# the first segment, which holds initdb's bootstrap records, is skipped) and
# OUTDIR/SAMPLE-INFO.txt (how it was made, sha256 of every segment). Consumers should
# pick segment files by name (^[0-9A-F]{24}$).
#
# Idempotent: if OUTDIR already holds a complete sample of N segments (SAMPLE-INFO.txt
# matching), nothing is rebuilt; WAL_SAMPLE_FORCE=1 rebuilds. Bounded in time
# (WAL_SAMPLE_TIMEOUT seconds, default 1200; pgbench calls run under timeout too). The cluster is stopped and removed on any
# exit (trap). Runs as root (PostgreSQL then runs as user postgres via runuser) or as any
# ordinary user. Needs PostgreSQL 15 in /usr/lib/postgresql/15/bin (installed with
# apt-get if missing and root) and zstd for the final ratio.
#
# Environment: WAL_SAMPLE_SCALE (20), WAL_SAMPLE_CLIENTS (4), WAL_SAMPLE_ROUND (10 s per
# pgbench round), WAL_SAMPLE_TIMEOUT (1200), WAL_SAMPLE_FORCE (0), PGBIN (override).
set -Eeuo pipefail

usage() { echo "usage: $0 OUTDIR [N]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
OUTDIR=$1
N=${2:-96}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }

# The workload (SQL, round mix, default sizes) is shared with e2e-bench.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib/workload.sh"
SCALE=${WAL_SAMPLE_SCALE:-$WORKLOAD_SCALE}
CLIENTS=${WAL_SAMPLE_CLIENTS:-$WORKLOAD_CLIENTS}
ROUND=${WAL_SAMPLE_ROUND:-$WORKLOAD_ROUND_S}
TIMEOUT=${WAL_SAMPLE_TIMEOUT:-1200}
FORCE=${WAL_SAMPLE_FORCE:-0}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SEG_SIZE=$((16 * 1024 * 1024))
SEG_RE='^[0-9A-F]{24}$'
INFO=SAMPLE-INFO.txt

log() { printf '[make-wal-sample %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

list_segments() { # DIR -> sorted segment names
  find "$1" -maxdepth 1 -type f -printf '%f\n' 2>/dev/null | grep -E "$SEG_RE" | sort || true
}

print_ratio() { # DIR
  command -v zstd >/dev/null || { log "zstd not installed: no ratio"; return 0; }
  local dir=$1 plain=0 comp=0 f
  while read -r f; do
    plain=$((plain + $(stat -c %s "$dir/$f")))
    comp=$((comp + $(zstd -1 -T1 -q -c "$dir/$f" | wc -c)))
  done < <(list_segments "$dir")
  awk -v p="$plain" -v c="$comp" -v d="$dir" 'BEGIN {
    printf "sample: %s\nplain bytes: %d (%.1f MiB)\nzstd -1 bytes (per segment, summed): %d\nzstd -1 ratio: %.2fx\n",
           d, p, p / 1048576, c, p / c }'
}

# ---------- idempotence: a complete sample is kept as it is ----------
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
if [[ $FORCE != 1 && -f $OUTDIR/$INFO ]] && grep -qx "segments: $N" "$OUTDIR/$INFO"; then
  mapfile -t have < <(list_segments "$OUTDIR")
  ok=1
  [[ ${#have[@]} -eq $N ]] || ok=0
  for f in "${have[@]}"; do
    [[ $(stat -c %s "$OUTDIR/$f") -eq $SEG_SIZE ]] || ok=0
    grep -q " $f\$" "$OUTDIR/$INFO" || ok=0
  done
  if [[ $ok == 1 ]]; then
    log "complete sample of $N segments already in $OUTDIR (WAL_SAMPLE_FORCE=1 to rebuild)"
    print_ratio "$OUTDIR"
    exit 0
  fi
  log "incomplete or different sample in $OUTDIR: rebuilding"
fi

# ---------- prerequisites ----------
if [[ ! -x $PGBIN/initdb ]]; then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    log "PostgreSQL 15 not found: installing it with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  [[ -x $PGBIN/initdb ]] || die "PostgreSQL 15 binaries not found in $PGBIN"
fi
"$PGBIN/postgres" --version | grep -q ' 15\.' || log "warning: $("$PGBIN/postgres" --version) is not 15"

if [[ $EUID -eq 0 ]]; then
  PGUSER_OS=postgres
  id "$PGUSER_OS" >/dev/null 2>&1 || die "user postgres missing (install postgresql-common)"
  as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
else
  PGUSER_OS=$(id -un)
  as_pg() { "$@"; }
fi

# ---------- throwaway cluster ----------
TMPBASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMPBASE/walstow-walsample.XXXXXX")
chmod 0755 "$WORK"                         # postgres must traverse it
[[ $EUID -eq 0 ]] && chown "$PGUSER_OS" "$WORK"
DATA=$WORK/data SOCK=$WORK/sock ARCH=$WORK/archive LOGF=$WORK/postgres.log
as_pg mkdir -m 0700 "$DATA" "$SOCK" "$ARCH"
STARTED=0 PUBLISHING=0

cleanup() {
  local rc=$?
  set +e
  if [[ $STARTED == 1 ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1
  fi
  # belt and braces: any postmaster still on our data dir, by its pid
  if [[ -f $DATA/postmaster.pid ]]; then
    local pid; pid=$(head -1 "$DATA/postmaster.pid" 2>/dev/null)
    [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
  fi
  [[ -n ${PGBENCH_PID:-} ]] && kill "$PGBENCH_PID" 2>/dev/null
  rm -rf "$WORK"
  if [[ $rc -ne 0 && $PUBLISHING == 1 ]]; then   # never leave a half-copied sample behind
    rm -f "$OUTDIR/$INFO"
    list_segments "$OUTDIR" | while read -r f; do rm -f "$OUTDIR/$f"; done
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "initdb in $DATA (as $PGUSER_OS)"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --no-locale -E UTF8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3 4 5; do
  PORT=$((20000 + RANDOM % 20000))
  port_free "$PORT" || continue
  cat >"$WORK/walstow.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
archive_mode = on
archive_command = 'test ! -f $ARCH/%f && cp %p $ARCH/%f.tmp && mv $ARCH/%f.tmp $ARCH/%f'
archive_timeout = 0
wal_level = replica
full_page_writes = on
max_wal_size = 1GB
checkpoint_timeout = 5min
shared_buffers = 256MB
fsync = off
logging_collector = off
CONF
  # fsync=off only skips the flushes: the WAL records written are the same.
  as_pg cp "$WORK/walstow.conf" "$DATA/walstow.conf"
  grep -q "include = 'walstow.conf'" "$DATA/postgresql.conf" || echo "include = 'walstow.conf'" | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
  if as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOGF" -w -t 60 start >/dev/null; then STARTED=1; break; fi
  log "start on port $PORT failed (attempt $attempt)"; tail -5 "$LOGF" >&2 || true
done
[[ $STARTED == 1 ]] || die "could not start PostgreSQL"
log "PostgreSQL up on 127.0.0.1:$PORT, socket $SOCK"

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres)
PGBENCH=("$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres)
DEADLINE=$((SECONDS + TIMEOUT))
archived() { list_segments "$ARCH" | wc -l; }
need=$((N + 1))   # the first segment (initdb bootstrap) is skipped

log "pgbench -i -s $SCALE"
as_pg timeout "$TIMEOUT" "${PGBENCH[@]}" -i -s "$SCALE" -q postgres >"$WORK/pgbench-init.log" 2>&1 \
  || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
as_pg "${PSQL[@]}" -c 'CHECKPOINT' 

workload_sql schema | as_pg "${PSQL[@]}"

# Application-like transactions, as pgbench scripts (weights in workload_round).
for part in "${WORKLOAD_SCRIPTS[@]}"; do workload_sql "$part" >"$WORK/$part.sql"; done
chmod 0644 "$WORK"/app-*.sql

log "mixed workload (TPC-B + app rows) in ${ROUND}s rounds until $need segments are archived"
round=0
while (( $(archived) < need )); do
  (( SECONDS < DEADLINE )) || die "timeout after ${TIMEOUT}s with $(archived) segments archived"
  round=$((round + 1))
  # Alternate: mostly mixed rounds, every third one pure TPC-B.
  workload_round "$round" "$WORK"
  as_pg timeout $((ROUND + 120)) "${PGBENCH[@]}" -n -c "$CLIENTS" -j "$WORKLOAD_THREADS" -T "$ROUND" "${WORKLOAD_ARGS[@]}" postgres >"$WORK/pgbench-run.log" 2>&1 \
    || { cat "$WORK/pgbench-run.log" >&2; die "pgbench round $round failed"; }
  # Let the archiver catch up with what is already complete before counting.
  sleep 1
  log "round $round: $(archived) segments archived"
done

# ---------- publish ----------
mapfile -t segs < <(list_segments "$ARCH" | tail -n +2 | head -n "$N")
[[ ${#segs[@]} -eq $N ]] || die "expected $N segments, got ${#segs[@]}"
PUBLISHING=1
rm -f "$OUTDIR/$INFO"
list_segments "$OUTDIR" | while read -r f; do rm -f "$OUTDIR/$f"; done
for f in "${segs[@]}"; do
  [[ $(stat -c %s "$ARCH/$f") -eq $SEG_SIZE ]] || die "$f is not 16 MiB"
  cp "$ARCH/$f" "$OUTDIR/$f"
done
{
  echo "walstow WAL sample"
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "server: $("$PGBIN/postgres" --version)"
  echo "workload: pgbench -i -s $SCALE; CHECKPOINT; $round rounds of ${ROUND}s x $CLIENTS clients (TPC-B + app_events insert/update/delete)"
  echo "segments: $N"
  (cd "$OUTDIR" && sha256sum "${segs[@]}")
} >"$OUTDIR/$INFO.tmp"
mv "$OUTDIR/$INFO.tmp" "$OUTDIR/$INFO"
PUBLISHING=0
log "wrote $N segments (${segs[0]} .. ${segs[-1]}) to $OUTDIR"
print_ratio "$OUTDIR"
