#!/usr/bin/env bash
# e2e-bench.sh — end-to-end comparison of WAL archivers, driven by PostgreSQL itself:
#   cp | pgBackRest sync | pgBackRest async (process-max=2) | walstow in-process | walstow daemon
#
# Rows (each tool, each repetition, tools interleaved and rotated across repetitions):
#   drain   a backlog of N (default 96) real 16 MiB segments piled up as .ready while archive_command was
#           'false': wall seconds from `pg_ctl start` until no .ready is left, and CPU seconds of everything in
#           the run's cgroup (PostgreSQL + archive_command processes + the tool's daemons). The walstow daemon
#           is resident (started before the clock, backlog held aside until t0; its start-up time is recorded
#           as daemon_up_s); E2E_DAEMON_COLD=1 starts it inside the clock instead
#   get     N sequential restore_command calls (as recovery makes them: /bin/sh -c, cwd = a data directory,
#           %p = pg_wal/RECOVERYXLOG) from the repository just filled
#   pitr    point-in-time recovery of the base backup (taken before the backlog) to a time near the end of
#           the backlog: seconds from `pg_ctl start` to the end of recovery (hot_standby=off, so `pg_ctl -w`
#           returns only once the server is promoted; then pg_is_in_recovery() = false is checked)
#   one     one archive_command call for a segment already archived (status/spool files in place), hyperfine;
#           the cp column is `test -f` on the archived copy
#
# Usage (as root: PostgreSQL runs as user postgres via runuser):
#   benchmarks/scripts/e2e-bench.sh                 # 3 repetitions, 96 segments
#   E2E_REPS=5 E2E_SEGMENTS=96 benchmarks/scripts/e2e-bench.sh
# Environment:
#   E2E_REPS (3)  E2E_SEGMENTS (96)  E2E_TOOLS ("cp pgbr-sync pgbr-async walstow walstow-daemon")
#   E2E_ONE_RUNS (15 hyperfine runs per tool per repetition)  E2E_TIMEOUT (900 s bound on any one wait)
#   E2E_BACKLOG_DIR: keep/reuse the pristine backlog there (else built in the temp dir and removed)
#   WALSTOW_DIST (packaging/target/walstow; built with `mvn -B -q -o package -DskipTests` if missing)
#   E2E_ROWS ("drain get pitr"): "drain" alone measures the drain and one-call rows only
#   E2E_DAEMON_COLD (0): 1 starts the walstow daemon inside the drain's clock (a cold start under a backlog)
#   E2E_DAEMON_NICE (0): niceness of the walstow daemon
#   E2E_DAEMON_OPTS: extra JVM options for the walstow daemon (e.g. a JFR recording)
#   E2E_WALSTOW_TOML: extra lines for walstow's configuration (e.g. $'[daemon]\npush-concurrency = 3')
#   E2E_OUT: also write the table (markdown) and the raw samples (TSV) to this directory
#   WORKLOAD_SCALE (20), WORKLOAD_CLIENTS (4), WORKLOAD_THREADS (2), WORKLOAD_ROUND_S (10): the backlog's workload,
#   make-wal-sample.sh's, in lib/workload.sh (an E2E_BACKLOG_DIR already complete is reused whatever they say)
# Installs what is missing with apt-get: postgresql-15, pgbackrest, hyperfine, zstd.
set -Eeuo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The backlog's workload (SQL, round mix, sizes) is make-wal-sample.sh's, shared through this file.
source "$(dirname "${BASH_SOURCE[0]}")/lib/workload.sh"
REPS=${E2E_REPS:-3}
N=${E2E_SEGMENTS:-96}
TOOLS=${E2E_TOOLS:-"cp pgbr-sync pgbr-async walstow walstow-daemon"}
ONE_RUNS=${E2E_ONE_RUNS:-15}
ROWS=${E2E_ROWS:-"drain get pitr"}
DAEMON_COLD=${E2E_DAEMON_COLD:-0}
TIMEOUT=${E2E_TIMEOUT:-900}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
DIST_SRC=${WALSTOW_DIST:-$REPO_ROOT/packaging/target/walstow}
SEG_RE='^[0-9A-F]{24}$'
STANZA=e2e

log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (PostgreSQL, pgBackRest and walstow then run as user postgres)"
[[ $N =~ ^[1-9][0-9]*$ && $N -ge 4 ]] || die "E2E_SEGMENTS must be an integer >= 4"
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "E2E_REPS must be a positive integer"

# ---------- prerequisites ----------
need_pkgs=()
[[ -x $PGBIN/initdb ]] || need_pkgs+=(postgresql-15)
command -v pgbackrest >/dev/null || need_pkgs+=(pgbackrest)
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
command -v zstd >/dev/null || need_pkgs+=(zstd)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]} with apt-get"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
[[ -x $PGBIN/initdb ]] || die "PostgreSQL 15 not found in $PGBIN"
command -v python3 >/dev/null || die "python3 is needed for the statistics"
if [[ ! -x $DIST_SRC/bin/walstow ]]; then
  log "building walstow (mvn -B -q -o package -DskipTests)"
  (cd "$REPO_ROOT" && mvn -B -q -o package -DskipTests) || die "walstow build failed"
fi
as_pg() { runuser -u postgres -- "$@"; }

# ---------- work area (postgres must traverse it) ----------
WORK=$(mktemp -d /tmp/walstow-e2e-XXXX)
chmod 0755 "$WORK"
chown postgres: "$WORK"
SOCK=$WORK/sock
as_pg mkdir -m 0700 "$SOCK"
as_pg mkdir -m 0755 "$WORK/runs" "$WORK/logs"
RESULTS=$WORK/results.tsv
: >"$RESULTS"
# A private copy of the distribution: a rebuild in the work tree cannot change it under a running benchmark.
cp -a "$DIST_SRC" "$WORK/walstow-dist"
chmod -R a+rX "$WORK/walstow-dist"
WS=$WORK/walstow-dist/bin/walstow
HAVE_DAEMON=0
if "$WS" help daemon >/dev/null 2>&1; then HAVE_DAEMON=1; fi

CGROOT=""
if [[ -w /sys/fs/cgroup/cgroup.procs && -f /sys/fs/cgroup/cgroup.controllers ]]; then
  CGROOT=/sys/fs/cgroup CGKIND=v2
elif [[ -d /sys/fs/cgroup/cpuacct && -w /sys/fs/cgroup/cpuacct ]]; then
  CGROOT=/sys/fs/cgroup/cpuacct CGKIND=v1
fi
CG=""  # the current run's cgroup

STARTED_DATA=()  # data directories with a postmaster we started
DAEMON_PIDFILE=""
PGBR_ASYNC_SPOOLS=()

stop_cluster() { # DATA
  local d=$1 pid
  [[ -f $d/postmaster.pid ]] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w -t 60 stop >/dev/null 2>&1 \
    || as_pg "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  if [[ -f $d/postmaster.pid ]]; then
    pid=$(head -1 "$d/postmaster.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null || true
  fi
}

stop_daemon() {
  [[ -n $DAEMON_PIDFILE && -f $DAEMON_PIDFILE ]] || return 0
  local pid; pid=$(cat "$DAEMON_PIDFILE")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 400; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "daemon $pid still alive 40 s after SIGTERM: SIGKILL"; kill -9 "$pid"; }
  fi
  rm -f "$DAEMON_PIDFILE"
  DAEMON_PIDFILE=""
}

# pgBackRest's async processes (archive-push:async, archive-get:async) outlive the call that started them; end
# them by the pid recorded in their own lock files (never by name).
stop_pgbr_async() {
  local f pid
  for f in "$WORK"/pgbr-lock/*.lock; do
    [[ -f $f ]] || continue
    pid=$(head -1 "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
  done
}

cg_new() { # NAME -> sets CG
  CG=""
  [[ -n $CGROOT ]] || return 0
  CG=$CGROOT/walstow-e2e-$$-$1
  mkdir -p "$CG"
}
cg_usec() { # cumulative CPU microseconds of the current cgroup
  [[ -n $CG ]] || { echo 0; return; }
  if [[ $CGKIND == v2 ]]; then awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat"
  else echo $(($(cat "$CG/cpuacct.usage") / 1000)); fi
}
cg_drop() {
  [[ -n $CG ]] || return 0
  local i
  for ((i = 0; i < 50; i++)); do rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
  CG=""
}
in_cg() { # run a command inside the current cgroup
  if [[ -n $CG ]]; then (echo "$BASHPID" >"$CG/cgroup.procs" && "$@"); else "$@"; fi
}

cleanup() {
  local rc=$?
  set +e
  trap - ERR
  stop_daemon
  local d
  for d in "${STARTED_DATA[@]}"; do stop_cluster "$d"; done
  stop_pgbr_async
  [[ -n ${PGBENCH_PID:-} ]] && kill "$PGBENCH_PID" 2>/dev/null
  if [[ -n $CGROOT ]]; then
    for d in "$CGROOT"/walstow-e2e-$$-*; do [[ -d $d ]] && rmdir "$d" 2>/dev/null; done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { echo "$EPOCHREALTIME"; }
# The measured waits poll without forking: a `sleep` per poll cost ~3 ms of CPU on these VMs (fork + exec), about
# 1 CPU-s of a drain taken from the cores the tools are measured on. `read -t` on a FIFO opened read-write (never
# any data, never blocks on open) is a sleep inside this shell.
mkfifo "$WORK/nap.fifo"
exec {NAP_FD}<>"$WORK/nap.fifo"
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }  # tool rep metric value

ready_segments() { # DATA -> number of .ready segment files (not .backup/.history)
  local n=0 f
  for f in "$1"/pg_wal/archive_status/*.ready; do
    [[ -e $f ]] || continue
    f=${f##*/}; f=${f%.ready}
    [[ $f =~ $SEG_RE ]] && n=$((n + 1))
  done
  echo "$n"
}
ready_any() { # DATA -> 0 if any .ready is left
  local f
  for f in "$1"/pg_wal/archive_status/*.ready; do [[ -e $f ]] && return 0; done
  return 1
}

write_pgconf() { # DATA FILE-CONTENT: the benchmark settings, included from postgresql.conf
  local d=$1
  printf '%s\n' "$2" | as_pg tee "$d/e2e.conf" >/dev/null
  grep -q "^include = 'e2e.conf'" "$d/postgresql.conf" \
    || echo "include = 'e2e.conf'" | as_pg tee -a "$d/postgresql.conf" >/dev/null
}
BASE_SETTINGS="listen_addresses = ''
port = 5432
unix_socket_directories = '$SOCK'
wal_level = replica
max_wal_size = 1GB
checkpoint_timeout = 5min
shared_buffers = 256MB
logging_collector = off"
# Measured runs: no autovacuum, so that no new WAL (hence no new .ready segment) appears while a slow tool
# drains: every tool archives exactly the same backlog.
RUN_SETTINGS="autovacuum = off"

PSQL() { as_pg "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$SOCK" -p 5432 -U postgres -d postgres "$@"; }

# ======================================================================================================
# 1. The backlog: a real cluster, archive_command = 'false', base backup first, then the mixed workload
# ======================================================================================================
build_backlog() { # DIR
  local out=$1 d=$WORK/gen/data
  as_pg mkdir -p "$WORK/gen"
  log "initdb (backlog of $N segments)"
  as_pg "$PGBIN/initdb" -D "$d" -U postgres --auth=trust --no-locale -E UTF8 >"$WORK/logs/initdb.log" 2>&1 \
    || { cat "$WORK/logs/initdb.log" >&2; die "initdb failed"; }
  write_pgconf "$d" "$BASE_SETTINGS
archive_mode = on
archive_command = 'false'
fsync = off"
  # fsync=off only while generating: the WAL records are the same, the flushes are skipped.
  STARTED_DATA+=("$d")
  as_pg "$PGBIN/pg_ctl" -D "$d" -l "$WORK/logs/gen.log" -w -t 60 start >/dev/null || die "start failed"
  log "base backup (pg_basebackup -X fetch: it does not wait for archiving)"
  as_pg "$PGBIN/pg_basebackup" -h "$SOCK" -p 5432 -U postgres -D "$WORK/gen/base" -X fetch -c fast \
    || die "pg_basebackup failed"
  log "pgbench -i -s $WORKLOAD_SCALE, CHECKPOINT, application table"
  local PGB=("$PGBIN/pgbench" -h "$SOCK" -p 5432 -U postgres)
  as_pg "${PGB[@]}" -i -s "$WORKLOAD_SCALE" -q postgres >"$WORK/logs/pgbench-init.log" 2>&1 || die "pgbench -i failed"
  PSQL -c CHECKPOINT
  workload_sql schema | PSQL
  # The workload of benchmarks/scripts/make-wal-sample.sh: TPC-B plus application-like rows (lib/workload.sh).
  local part
  for part in "${WORKLOAD_SCRIPTS[@]}"; do workload_sql "$part" | as_pg tee "$WORK/gen/$part.sql" >/dev/null; done
  local deadline=$((SECONDS + TIMEOUT)) round=0 target="" have
  log "mixed workload until $N segments are .ready (target time recorded at $((N - 2)))"
  while :; do
    have=$(ready_segments "$d")
    ((have >= N)) && break
    ((SECONDS < deadline)) || die "timeout with $have segments"
    round=$((round + 1))
    workload_round "$round" "$WORK/gen"
    as_pg "${PGB[@]}" -n -c "$WORKLOAD_CLIENTS" -j "$WORKLOAD_THREADS" -T "$WORKLOAD_ROUND_S" "${WORKLOAD_ARGS[@]}" postgres >"$WORK/logs/pgbench-run.log" 2>&1 &
    PGBENCH_PID=$!
    while kill -0 "$PGBENCH_PID" 2>/dev/null; do
      have=$(ready_segments "$d")
      if [[ -z $target ]] && ((have >= N - 2)); then
        target=$(PSQL -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
        log "recovery target time $target (at $have segments)"
      fi
      if ((have >= N)); then kill "$PGBENCH_PID" 2>/dev/null || true; break; fi
      sleep 0.1
    done
    wait "$PGBENCH_PID" 2>/dev/null || true
    PGBENCH_PID=""
  done
  PSQL -c "SELECT pg_stat_reset_shared('archiver')" >/dev/null  # failed_count then counts the runs' failures
  as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w -t 120 stop >/dev/null
  [[ -n $target ]] || die "no target time recorded"
  # Pristine copy: fsync back on for every measured run.
  rm -rf "$out"; mkdir -p "$out"; chown postgres: "$out"
  mv "$d" "$out/data"; mv "$WORK/gen/base" "$out/base"
  write_pgconf "$out/data" "$BASE_SETTINGS
archive_mode = on
archive_command = 'false'"
  echo "$target" >"$out/target-time"
  # Exactly N segments in the backlog: a segment completed after the N-th (between stopping pgbench and the
  # shutdown) is marked archived (.done) in the pristine copy, so PostgreSQL never hands it to a tool.
  local extra
  find "$out/data/pg_wal/archive_status" -name '*.ready' -printf '%f\n' | sed 's/\.ready$//' | grep -E "$SEG_RE" \
    | sort | tail -n +$((N + 1)) | while read -r extra; do
      mv "$out/data/pg_wal/archive_status/$extra.ready" "$out/data/pg_wal/archive_status/$extra.done"
    done
  find "$out/data/pg_wal/archive_status" -name '*.ready' -printf '%f\n' | sed 's/\.ready$//' | sort >"$out/ready-list"
  grep -E "$SEG_RE" "$out/ready-list" | head -n "$N" >"$out/segments"
  # zstd -1 ratio of the backlog's segments (a check that the WAL is realistic: about 4.9x expected)
  local plain=0 comp=0 f
  while read -r f; do
    plain=$((plain + $(stat -c %s "$out/data/pg_wal/$f")))
    comp=$((comp + $(zstd -1 -T1 -q -c "$out/data/pg_wal/$f" | wc -c)))
  done <"$out/segments"
  awk -v p=$plain -v c=$comp 'BEGIN { printf "%.2f\n", p / c }' >"$out/zstd-ratio"
  echo "$N" >"$out/complete"
  local i; for i in "${!STARTED_DATA[@]}"; do [[ ${STARTED_DATA[$i]} == "$d" ]] && unset 'STARTED_DATA[i]'; done
  log "backlog: $(wc -l <"$out/ready-list") .ready files ($(wc -l <"$out/segments") segments), zstd -1 ratio $(cat "$out/zstd-ratio")x"
}

BACKLOG=${E2E_BACKLOG_DIR:-$WORK/backlog}
if [[ -n ${E2E_BACKLOG_DIR:-} && -f $BACKLOG/complete && $(cat "$BACKLOG/complete") == "$N" ]]; then
  log "reusing the backlog in $BACKLOG"
else
  mkdir -p "$(dirname "$BACKLOG")"
  build_backlog "$BACKLOG"
fi
chmod 0755 "$BACKLOG"
TARGET_TIME=$(cat "$BACKLOG/target-time")
mapfile -t SEGS <"$BACKLOG/segments"
READY_TOTAL=$(wc -l <"$BACKLOG/ready-list")
ONE_SEG=${SEGS[-1]}

# ======================================================================================================
# 2. Tools
# ======================================================================================================
# Keys and secrets, once.
as_pg mkdir -m 0700 "$WORK/keys"
as_pg "$WS" keygen --public-key "$WORK/keys/pub.asc" --secret-key "$WORK/keys/sec.asc" >/dev/null 2>&1 \
  || die "walstow keygen failed"
PGBR_PASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

# tool_setup TOOL DATA REPO -> sets ARCHIVE_CMD RESTORE_CMD ONE_CMD (argv for hyperfine -N) and writes configs
tool_setup() {
  local tool=$1 d=$2 repo=$3 conf=$2.tool.conf
  case $tool in
    cp)
      ARCHIVE_CMD="test ! -f $repo/%f && cp %p $repo/%f"
      RESTORE_CMD="cp $repo/%f %p"
      ONE_CMD="test -f $repo/$ONE_SEG"
      ;;
    pgbr-sync | pgbr-async)
      {
        echo "[global]"
        echo "repo1-path=$repo"
        echo "repo1-cipher-type=aes-256-cbc"
        echo "repo1-cipher-pass=$PGBR_PASS"
        echo "compress-type=zst"
        echo "compress-level=1"
        echo "log-path=$WORK/pgbr-log"
        echo "lock-path=$WORK/pgbr-lock"
        echo "log-level-console=warn"
        echo "log-level-stderr=warn"
        if [[ $tool == pgbr-async ]]; then
          echo "archive-async=y"
          echo "process-max=2"
          echo "spool-path=$WORK/pgbr-spool"
        fi
        echo "[$STANZA]"
        echo "pg1-path=$d"
        echo "pg1-socket-path=$SOCK"
        echo "pg1-port=5432"
      } | as_pg tee "$conf" >/dev/null
      as_pg chmod 0600 "$conf"
      as_pg mkdir -p "$WORK/pgbr-log" "$WORK/pgbr-lock"
      ARCHIVE_CMD="pgbackrest --config=$conf --stanza=$STANZA archive-push %p"
      RESTORE_CMD="pgbackrest --config=$conf --stanza=$STANZA archive-get %f \"%p\""
      ONE_CMD="pgbackrest --config=$conf --stanza=$STANZA archive-push pg_wal/$ONE_SEG"
      ;;
    walstow | walstow-daemon)
      as_pg tee "$conf" >/dev/null <<TOML
[repository]
type = "posix"
path = "$repo"
[compression]
level = 1
[encryption]
recipient = "$WORK/keys/pub.asc"
secret = "$WORK/keys/sec.asc"
[postgres]
data = "$d"
${E2E_WALSTOW_TOML:-}
TOML
      ARCHIVE_CMD="$WS --config $conf archive-push %p"
      RESTORE_CMD="$WS --config $conf archive-get %f %p"
      ONE_CMD="$WS --config $conf archive-push pg_wal/$ONE_SEG"
      ;;
  esac
}

repo_create() { # TOOL DATA REPO (data not running)
  local tool=$1 d=$2 repo=$3
  as_pg mkdir -p "$repo"
  case $tool in
    pgbr-*) as_pg pgbackrest --config="$d.tool.conf" --stanza=$STANZA --no-online stanza-create \
              >"$WORK/logs/stanza-create.log" 2>&1 || { cat "$WORK/logs/stanza-create.log" >&2; die "stanza-create failed"; } ;;
    walstow*) as_pg "$WS" --config "$d.tool.conf" init --pgdata "$d" >"$WORK/logs/init.log" 2>&1 \
                || { cat "$WORK/logs/init.log" >&2; die "walstow init failed"; } ;;
  esac
}

start_daemon() { # TOOL DATA (in the current cgroup)
  [[ $1 == walstow-daemon ]] || return 0
  local d=$2 i warm0
  DAEMON_PIDFILE=$WORK/daemon.pid
  warm0=$(grep -c 'warm-up:' "$WORK/logs/daemon.log" 2>/dev/null || true)
  # As systemd/walstow.service runs it: the optimizing compiler for the long-running daemon.
  in_cg runuser -u postgres -- env WALSTOW_JAVA_OPTS="-XX:TieredStopAtLevel=4 ${E2E_DAEMON_OPTS:-}" \
    nice -n "${E2E_DAEMON_NICE:-0}" bash -c \
    'cd "$1" && echo $$ > "$2" && exec "$3" --config "$4" daemon' _ "$d" "$DAEMON_PIDFILE" "$WS" "$d.tool.conf" \
    >>"$WORK/logs/daemon.log" 2>&1 &
  for ((i = 0; i < 600; i++)); do
    [[ -S $d/pg_wal/.walstow/daemon.sock ]] && break
    sleep 0.1
  done
  if [[ ! -S $d/pg_wal/.walstow/daemon.sock ]]; then
    tail -20 "$WORK/logs/daemon.log" >&2
    die "walstow daemon did not create $d/pg_wal/.walstow/daemon.sock within 60 s"
  fi
  # A resident daemon has long finished its warm-up (WarmUp, ~2 CPU-s at start) when work arrives;
  # wait for it (bounded), except in a cold start, where the work itself interrupts it.
  [[ $DAEMON_COLD == 1 ]] && return 0
  for ((i = 0; i < 300; i++)); do
    (($(grep -c 'warm-up:' "$WORK/logs/daemon.log" || true) > warm0)) && return 0
    sleep 0.1
  done
  log "walstow daemon: no 'warm-up' line within 30 s; measuring anyway"
}

# ---------- drain ----------
run_drain() { # TOOL REP
  local tool=$1 rep=$2 run=$WORK/runs/$1-$2
  local d=$run/data repo=$run/repo
  as_pg mkdir -p "$run"
  cp -a "$BACKLOG/data" "$d"
  tool_setup "$tool" "$d" "$repo"
  rm -rf "$WORK/pgbr-spool"
  repo_create "$tool" "$d" "$repo"
  # checkpoint_timeout = 1h: no checkpoint may recycle the archived segments before the one-call measurement
  # that follows the drain (a slow tool drains for minutes).
  write_pgconf "$d" "$BASE_SETTINGS
$RUN_SETTINGS
checkpoint_timeout = 1h
archive_mode = on
archive_command = '${ARCHIVE_CMD//\'/\'\'}'"
  sync
  cg_new "drain-$tool-$rep"
  local c0 t0 t1 c1 tu
  if [[ $tool == walstow-daemon && $DAEMON_COLD != 1 ]]; then
    # The daemon is resident (systemd starts it with the machine, as for the restore and PITR rows), so it is
    # up before the clock; the backlog's .ready files are held aside meanwhile so that no work escapes the
    # clock, and put back at t0 (the daemon sees them through inotify). Its JIT warm-up stays in the window.
    as_pg mkdir "$run/held-ready"
    as_pg find "$d/pg_wal/archive_status" -name '*.ready' -exec mv -t "$run/held-ready" {} +
    tu=$(now)
    start_daemon "$tool" "$d"
    record "$tool" "$rep" daemon_up_s "$(elapsed "$tu" "$(now)")"
  fi
  c0=$(cg_usec)
  t0=$(now)
  if [[ $tool == walstow-daemon && $DAEMON_COLD != 1 ]]; then
    as_pg find "$run/held-ready" -name '*.ready' -exec mv -t "$d/pg_wal/archive_status" {} +
  elif [[ $tool == walstow-daemon ]]; then
    # E2E_DAEMON_COLD=1: the clock starts before the daemon, so the drain includes its JVM start.
    start_daemon "$tool" "$d"
    record "$tool" "$rep" daemon_up_s "$(elapsed "$t0" "$(now)")"
  fi
  STARTED_DATA+=("$d")
  in_cg as_pg "$PGBIN/pg_ctl" -D "$d" -l "$run/postgres.log" -w -t 120 start >/dev/null || die "$tool: start failed"
  local deadline=$((SECONDS + TIMEOUT))
  while ready_any "$d"; do
    ((SECONDS < deadline)) || die "$tool: backlog not drained after ${TIMEOUT}s"
    nap 0.05
  done
  t1=$(now)
  c1=$(cg_usec)
  local stat
  stat=$(PSQL -c "SELECT archived_count || ' ' || failed_count FROM pg_stat_archiver")
  [[ ${stat% *} -eq $READY_TOTAL ]] || die "$tool: archived_count ${stat% *} != $READY_TOTAL (the backlog)"
  record "$tool" "$rep" drain_s "$(elapsed "$t0" "$t1")"
  [[ -n $CG ]] && record "$tool" "$rep" drain_cpu_s "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')"
  record "$tool" "$rep" drain_failed "${stat#* }"
  log "$tool rep $rep: drain $(elapsed "$t0" "$t1") s, archived ${stat% *}, failed ${stat#* }"

  # One call for a segment already archived: the cluster is still up, the segment still in pg_wal (no
  # checkpoint since start), the tool's status/spool files in place.
  [[ -f $d/pg_wal/$ONE_SEG ]] || die "$ONE_SEG no longer in pg_wal"
  local json=$run/one.json cmd=$ONE_CMD
  [[ $tool == cp ]] && cmd="test -f $repo/$ONE_SEG"
  if as_pg bash -c 'cd "$1" && exec hyperfine -N --warmup 2 --runs "$2" --style none --export-json "$3" -n one "$4"' \
      _ "$d" "$ONE_RUNS" "$json" "$cmd" >/dev/null 2>"$run/one.err"; then
    python3 -c 'import json,sys; [print(t) for t in json.load(open(sys.argv[1]))["results"][0]["times"]]' "$json" \
      | while read -r t; do record "$tool" "$rep" one_s "$t"; done
  else
    log "$tool: hyperfine of one call failed: $(tail -3 "$run/one.err" | tr '\n' ' ')"
  fi

  stop_cluster "$d"
  stop_daemon
  stop_pgbr_async
  cg_drop
  rm -rf "$d" "$d.tool.conf"
}

# ---------- sequential restore calls ----------
run_get() { # TOOL REP
  local tool=$1 rep=$2 run=$WORK/runs/$1-$2
  local d=$run/getdata repo=$run/repo
  cp -a "$BACKLOG/base" "$d"
  # PostgreSQL calls restore_command only while recovery.signal (or standby.signal) exists, and a prefetching
  # daemon takes their absence for "recovery has ended" (it clears its prefetch spool): mimic real recovery.
  as_pg touch "$d/recovery.signal"
  tool_setup "$tool" "$d" "$repo"
  rm -rf "$WORK/pgbr-spool"
  cg_new "get-$tool-$rep"
  start_daemon "$tool" "$d"
  local c0 c1 out
  c0=$(cg_usec)
  # As recovery does it: /bin/sh -c per call, cwd = data directory, %p = pg_wal/RECOVERYXLOG.
  out=$(in_cg runuser -u postgres -- bash -c '
    cd "$1" || exit 99; cmd=$2; log=$3; shift 3
    t0=$EPOCHREALTIME
    for f in "$@"; do
      c=${cmd//%f/$f}; c=${c//%p/pg_wal/RECOVERYXLOG}
      /bin/sh -c "$c" 2>>"$log" || { echo "FAIL $f $?"; exit 1; }
    done
    t1=$EPOCHREALTIME
    echo "$t0 $t1"' _ "$d" "$RESTORE_CMD" "$run/get.log" "${SEGS[@]}") || die "$tool: restore loop failed: $out"
  c1=$(cg_usec)
  [[ $(stat -c %s "$d/pg_wal/RECOVERYXLOG") -eq $((16 * 1024 * 1024)) ]] || die "$tool: RECOVERYXLOG is not 16 MiB"
  cmp -s "$d/pg_wal/RECOVERYXLOG" "$BACKLOG/data/pg_wal/${SEGS[-1]}" || die "$tool: last restored segment differs"
  record "$tool" "$rep" get_s "$(elapsed ${out% *} ${out#* })"
  [[ -n $CG ]] && record "$tool" "$rep" get_cpu_s "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')"
  log "$tool rep $rep: ${#SEGS[@]} restore calls $(elapsed ${out% *} ${out#* }) s"
  stop_daemon
  stop_pgbr_async
  cg_drop
  rm -rf "$d" "$d.tool.conf"
}

# ---------- point-in-time recovery ----------
run_pitr() { # TOOL REP
  local tool=$1 rep=$2 run=$WORK/runs/$1-$2
  local d=$run/pitrdata repo=$run/repo
  cp -a "$BACKLOG/base" "$d"
  tool_setup "$tool" "$d" "$repo"
  rm -rf "$WORK/pgbr-spool"
  write_pgconf "$d" "$BASE_SETTINGS
$RUN_SETTINGS
archive_mode = off
hot_standby = off
restore_command = '${RESTORE_CMD//\'/\'\'}'
recovery_target_time = '$TARGET_TIME'
recovery_target_action = 'promote'"
  as_pg touch "$d/recovery.signal"
  sync
  cg_new "pitr-$tool-$rep"
  start_daemon "$tool" "$d"
  local c0 c1 t0 t1
  c0=$(cg_usec)
  t0=$(now)
  STARTED_DATA+=("$d")
  # hot_standby=off: the server rejects connections until recovery has ended and it is promoted, so
  # pg_isready (no login, no backend) polls the end of recovery cheaply; then pg_is_in_recovery() confirms.
  in_cg as_pg "$PGBIN/pg_ctl" -D "$d" -l "$run/pitr.log" -W start >/dev/null \
    || { tail -20 "$run/pitr.log" >&2; die "$tool: PITR start failed"; }
  local deadline=$((SECONDS + TIMEOUT)) i
  for ((i = 0; i < 200; i++)); do [[ -f $d/postmaster.pid ]] && break; nap 0.05; done
  # The end of recovery without a process per poll: the postmaster writes "ready" as the status line (the 8th) of
  # postmaster.pid once recovery has ended and it accepts connections (with hot_standby=off, not before).
  local pidlines=()
  while :; do
    mapfile -t pidlines <"$d/postmaster.pid" 2>/dev/null || pidlines=()
    [[ ${pidlines[7]:-} == ready* ]] && break
    ((SECONDS < deadline)) || { tail -20 "$run/pitr.log" >&2; die "$tool: PITR not finished after ${TIMEOUT}s"; }
    [[ -f $d/postmaster.pid ]] || { tail -20 "$run/pitr.log" >&2; die "$tool: PostgreSQL stopped during PITR"; }
    nap 0.02
  done
  t1=$(now)
  "$PGBIN/pg_isready" -q -h "$SOCK" -p 5432 -t 10 || die "$tool: postmaster.pid says ready, pg_isready does not"
  c1=$(cg_usec)
  [[ $(PSQL -c 'SELECT pg_is_in_recovery()') == f ]] || die "$tool: still in recovery after pg_ctl -w"
  grep -q 'recovery stopping before' "$run/pitr.log" || die "$tool: recovery did not reach the target time"
  record "$tool" "$rep" pitr_s "$(elapsed "$t0" "$t1")"
  [[ -n $CG ]] && record "$tool" "$rep" pitr_cpu_s "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')"
  log "$tool rep $rep: PITR $(elapsed "$t0" "$t1") s ($(grep -o 'recovery stopping before.*' "$run/pitr.log" | head -1))"
  stop_cluster "$d"
  stop_daemon
  stop_pgbr_async
  cg_drop
  rm -rf "$d" "$d.tool.conf"
}

# ======================================================================================================
# 3. Repetitions: tools interleaved, the order rotated each repetition
# ======================================================================================================
read -r -a tool_list <<<"$TOOLS"
active=()
for t in "${tool_list[@]}"; do
  if [[ $t == walstow-daemon && $HAVE_DAEMON != 1 ]]; then
    log "this walstow has no 'daemon' command: the walstow daemon column is n/a"
    continue
  fi
  active+=("$t")
done
log "tools: ${active[*]}; $REPS repetitions; backlog $READY_TOTAL files (${#SEGS[@]} segments); target $TARGET_TIME"
for ((rep = 1; rep <= REPS; rep++)); do
  k=$(((rep - 1) % ${#active[@]}))
  order=("${active[@]:k}" "${active[@]:0:k}")
  for t in "${order[@]}"; do
    run_drain "$t" "$rep"
    [[ " $ROWS " == *" get "* ]] && run_get "$t" "$rep"
    [[ " $ROWS " == *" pitr "* ]] && run_pitr "$t" "$rep"
    if [[ -n ${E2E_OUT:-} ]]; then
      mkdir -p "$E2E_OUT/logs/$t-$rep"
      cp "$WORK/runs/$t-$rep"/*.log "$E2E_OUT/logs/$t-$rep/" 2>/dev/null || true
    fi
    rm -rf "$WORK/runs/$t-$rep"
  done
done

# ======================================================================================================
# 4. The table
# ======================================================================================================
machine() {
  local model ram disk kernel jdk pg pgbr
  model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  ram=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
  local src; src=$(df --output=source "$WORK" | tail -1)
  disk="$src $(df -h --output=fstype,size "$WORK" | tail -1 | xargs)"
  local rota; rota=$(lsblk -ndo ROTA "$src" 2>/dev/null | xargs || true)
  [[ -n $rota ]] && disk="$disk, rotational=$rota"
  kernel=$(uname -r)
  jdk=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)
  pg=$("$PGBIN/postgres" --version)
  pgbr=$(pgbackrest version)
  echo "machine: $model, $(nproc) cores; RAM $ram; disk $disk; kernel $kernel; JDK $jdk; $pg; $pgbr; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
MACHINE=$(machine)
TABLE=$(python3 - "$RESULTS" "$TOOLS" "$HAVE_DAEMON" "$REPS" "${#SEGS[@]}" <<'PY'
import collections, statistics, sys
path, tools, have_daemon, reps, nseg = sys.argv[1], sys.argv[2].split(), sys.argv[3] == "1", sys.argv[4], sys.argv[5]
data = collections.defaultdict(list)
for line in open(path):
    tool, rep, metric, value = line.rstrip("\n").split("\t")
    data[(tool, metric)].append(float(value))
names = {"cp": "`cp`", "pgbr-sync": "pgBackRest sync", "pgbr-async": "pgBackRest async, process-max=2",
         "walstow": "walstow in-process", "walstow-daemon": "walstow daemon"}

def med(tool, metric):
    v = data.get((tool, metric))
    return statistics.median(v) if v else None

def cell(tool, metric, unit="s", scale=1.0, fmt="{:.2f}", ratio=True, cpu=None):
    v = data.get((tool, metric))
    if not v:
        return "n/a"
    m = statistics.median(v) * scale
    s = f"{fmt.format(m)} {unit} ({fmt.format(min(v) * scale)}–{fmt.format(max(v) * scale)})"
    base = med("cp", metric)
    if ratio and tool != "cp" and base:
        s += f", {statistics.median(v) / base:.2f}× cp"
    if cpu and data.get((tool, cpu)):
        c = data[(tool, cpu)]
        s += f"; CPU {statistics.median(c):.1f} s ({min(c):.1f}–{max(c):.1f})"
    return s

def one_cell(tool):
    v = data.get((tool, "one_s"))
    if not v:
        return "n/a"
    s = f"{statistics.median(v) * 1000:.1f} ms ({min(v) * 1000:.1f}–{max(v) * 1000:.1f})"
    return ("`test -f` " + s) if tool == "cp" else s

rows = [
    (f"drain a {nseg}-segment backlog (wall s; CPU-s of PostgreSQL + archiver side)",
     lambda t: cell(t, "drain_s", cpu="drain_cpu_s")),
    (f"{nseg} sequential restore calls (as recovery makes them)", lambda t: cell(t, "get_s", cpu="get_cpu_s")),
    (f"PITR to a target time across those {nseg} segments", lambda t: cell(t, "pitr_s", cpu="pitr_cpu_s")),
    ("one call for a segment already handled", one_cell),
]
print("| | " + " | ".join(names[t] for t in tools) + " |")
print("|---|" + "---|" * len(tools))
for label, f in rows:
    print(f"| {label} | " + " | ".join(f(t) for t in tools) + " |")
print()
print(f"median (min–max) over {reps} repetitions; one call: median (min–max) of all hyperfine runs of all repetitions.")
PY
)
{
  echo
  echo "$TABLE"
  echo
  echo "backlog: $READY_TOTAL .ready files ($(grep -cE "$SEG_RE" "$BACKLOG/ready-list") segments of 16 MiB + the base backup's history file), zstd -1 ratio $(cat "$BACKLOG/zstd-ratio")x; PITR target $TARGET_TIME"
  echo "$MACHINE"
} | tee "$WORK/table.md"
if [[ -n ${E2E_OUT:-} ]]; then
  mkdir -p "$E2E_OUT"
  cp "$WORK/table.md" "$E2E_OUT/e2e-table.md"
  cp "$RESULTS" "$E2E_OUT/e2e-samples.tsv"
  cp "$WORK"/logs/*.log "$E2E_OUT/logs/" 2>/dev/null || true
fi
