# shellcheck shell=bash
# benchmarks/scripts/lib/bench-cluster.sh — the throwaway cluster, repositories and timing helpers shared by
# backup-bench.sh (full backup/restore) and incr-bench.sh (incremental backups, issue 17). Sourced, not run:
#   BENCH_NAME=backup-bench source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-cluster.sh"
#
# What sourcing sets up: log/die/left (a deadline of BENCH_TIMEOUT seconds from now), SCALE, REPS, PAR, TIMEOUT,
# ROOT, DIST. The caller then runs, in order:
#   bench_checks             root, numbers, PostgreSQL binaries, pgbackrest (when BENCH_USE_PGBR=1), walstow
#   bench_workdir            WORK (removed on exit, the cluster stopped), keys, port, walstow.toml, pgbackrest.conf
#   bench_start_cluster CONF initdb as postgres, CONF appended to postgresql.conf, start, walstow init, stanza-create
#   bench_pgbench_init       pgbench -i -s SCALE, VACUUM ANALYZE, CHECKPOINT, archive caught up; sets BYTES
# and then uses as_pg, PSQL, WALSTOW, PGBR, wait_archived, settle, now, elapsed, median, target.
#
# Inputs: PGBIN (server binaries: initdb, pg_ctl, postgres; default Debian's 15), CLIENTBIN (psql, pgbench,
# pg_basebackup; default PGBIN), BENCH_USE_PGBR (1: pgbackrest archives too and gets a stanza; default 1),
# BENCH_SCALE (150), BENCH_REPS (3), BENCH_PARALLEL (2), BENCH_TIMEOUT (5400), BENCH_TMP (/var/tmp), WALSTOW_DIST.
SCALE=${BENCH_SCALE:-150}
REPS=${BENCH_REPS:-3}
PAR=${BENCH_PARALLEL:-2}
TIMEOUT=${BENCH_TIMEOUT:-5400}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
CLIENTBIN=${CLIENTBIN:-$PGBIN}
USE_PGBR=${BENCH_USE_PGBR:-1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
DIST=${WALSTOW_DIST:-$ROOT/packaging/target/walstow}
DEADLINE=$((SECONDS + TIMEOUT))

log() { printf '[%s %(%H:%M:%S)T] %s\n' "${BENCH_NAME:-bench}" -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
left() { local l=$((DEADLINE - SECONDS)); (( l > 0 )) || die "BENCH_TIMEOUT ${TIMEOUT}s reached"; echo "$l"; }

bench_checks() {
  [[ $EUID -eq 0 ]] || die "run as root (the cluster runs as user postgres)"
  [[ $REPS =~ ^[1-9][0-9]*$ && $SCALE =~ ^[1-9][0-9]*$ && $PAR =~ ^[1-9][0-9]*$ ]] || die "bad BENCH_* number"
  [[ -x $PGBIN/initdb ]] || die "PostgreSQL not found in $PGBIN (apt-get install postgresql-15)"
  [[ -x $CLIENTBIN/psql && -x $CLIENTBIN/pgbench ]] || die "psql/pgbench not found in $CLIENTBIN"
  command -v gpg >/dev/null || die "gpg missing (apt-get install gnupg)"
  if [[ $USE_PGBR == 1 ]] && ! command -v pgbackrest >/dev/null; then
    log "pgbackrest missing: installing it with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null || die "cannot install pgbackrest"
  fi
  if [[ ! -x $DIST/bin/walstow ]]; then
    log "no walstow distribution in $DIST: building it (mvn package, tests skipped)"
    (cd "$ROOT" && timeout "$(left)" mvn -B -q -ntp -DskipTests package) >&2 || die "build failed"
  fi
}

as_pg() { runuser -u postgres -- "$@"; }
STARTED=0 WORK= DATA=

# On any exit: the cluster stopped, WORK removed, and BENCH_RM_ON_EXIT (a caller's own temp dir) too.

bench_cleanup() {
  local rc=$?
  set +e
  if [[ $STARTED == 1 ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1
  fi
  if [[ -n $DATA && -f $DATA/postmaster.pid ]]; then   # belt and braces: our postmaster, by its pid
    local pid; pid=$(head -1 "$DATA/postmaster.pid" 2>/dev/null)
    [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
  fi
  [[ -n $WORK && -d $WORK/gnupg ]] && GNUPGHOME=$WORK/gnupg gpgconf --kill gpg-agent 2>/dev/null
  [[ -n $WORK ]] && rm -rf "$WORK"
  [[ -n ${BENCH_RM_ON_EXIT:-} ]] && rm -rf "$BENCH_RM_ON_EXIT"
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_workdir() {
  WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/walstow-bench.XXXXXX")
  chmod 0755 "$WORK"
  chown postgres "$WORK"
  DATA=$WORK/data SOCK=$WORK/sock LOGF=$WORK/postgres.log
  as_pg mkdir -m 0700 "$DATA" "$SOCK" "$WORK/walstow-repo" "$WORK/pgbr-repo" "$WORK/pgbr-log" "$WORK/pgbr-lock" \
    "$WORK/bb" "$WORK/keys" "$WORK/gnupg" "$WORK/tmp"
  cp -a "$DIST" "$WORK/walstow-dist" && chown -R postgres "$WORK/walstow-dist"
  WALSTOW="$WORK/walstow-dist/bin/walstow --config $WORK/walstow.toml"

  as_pg "$DIST/bin/walstow" keygen --public-key "$WORK/keys/pub.asc" --secret-key "$WORK/keys/sec.asc" >/dev/null
  as_pg env GNUPGHOME="$WORK/gnupg" gpg --batch --quiet --import "$WORK/keys/sec.asc" 2>/dev/null
  local cipher_pass; cipher_pass=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)

  port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  PORT=
  local attempt p
  for attempt in 1 2 3 4 5; do
    p=$((20000 + RANDOM % 20000))
    port_free "$p" && { PORT=$p; break; }
  done
  [[ -n $PORT ]] || die "no free port"

  cat >"$WORK/walstow.toml" <<TOML
[repository]
type = "posix"
path = "$WORK/walstow-repo"
[compression]
level = 1
[encryption]
recipient = "$WORK/keys/pub.asc"
secret = "$WORK/keys/sec.asc"
[postgres]
data = "$DATA"
host = "$SOCK"
port = $PORT
[backup]
parallelism = $PAR
temp-dir = "$WORK/tmp"
archive-timeout = "10m"
TOML
  cat >"$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbr-repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$cipher_pass
repo1-retention-full=99
compress-type=zst
compress-level=1
process-max=$PAR
start-fast=y
log-path=$WORK/pgbr-log
lock-path=$WORK/pgbr-lock
log-level-console=warn
log-level-file=off

[bench]
pg1-path=$DATA
pg1-socket-path=$SOCK
pg1-port=$PORT
CONF
  chown postgres "$WORK/walstow.toml" "$WORK/pgbackrest.conf"
  chmod 0600 "$WORK/pgbackrest.conf"
  PGBR=(pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench)
}

# bench_start_cluster EXTRA_CONF: initdb, settings (EXTRA_CONF appended), start; walstow init, pgbackrest stanza.
bench_start_cluster() {
  log "initdb in $DATA ($("$PGBIN/postgres" --version))"
  as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --no-locale -E UTF8 >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
  local archive="$WALSTOW archive-push %p"
  [[ $USE_PGBR == 1 ]] && archive+=" && pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench archive-push %p"
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
wal_level = replica
archive_mode = on
archive_command = '$archive'
max_wal_senders = 4
max_wal_size = 2GB
shared_buffers = 512MB
${1:-}
CONF
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOGF" -w -t 60 start >/dev/null || { tail -20 "$LOGF" >&2; die "start failed"; }
  STARTED=1
  PSQL=("$CLIENTBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres)
  as_pg $WALSTOW init >/dev/null
  if [[ $USE_PGBR == 1 ]]; then as_pg timeout 120 "${PGBR[@]}" stanza-create >/dev/null; fi
}

bench_pgbench_init() {
  log "pgbench -i -s $SCALE"
  as_pg timeout "$(left)" "$CLIENTBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -i -s "$SCALE" -q postgres \
    >"$WORK/pgbench.log" 2>&1 || { tail "$WORK/pgbench.log" >&2; die "pgbench -i failed"; }
  as_pg "${PSQL[@]}" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
  as_pg "${PSQL[@]}" -c 'SELECT pg_switch_wal()' >/dev/null
  BYTES=$(du -sb --exclude=pg_wal "$DATA" | cut -f1)
  log "data directory without pg_wal: $BYTES bytes ($((BYTES / 1048576)) MiB)"
  local t_arch=$SECONDS
  wait_archived
  log "archive caught up with the load in $((SECONDS - t_arch)) s"
  DROP=no
  if echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then DROP=yes; fi
}

# Each backup waits for its WAL to be archived, and the archiver works in order: a backlog (pgbench -i leaves
# ~140 segments) would be paid by whichever tool runs first. So every timed step starts with the archive caught up.
wait_archived() {
  # Done when nothing is waiting in archive_status: pg_switch_wal() has marked the segment it closed .ready by the
  # time it returns. (pg_stat_archiver.last_archived_wal is no measure: a .backup file of an older segment is
  # often archived after the next segment.)
  local i
  as_pg "${PSQL[@]}" -c 'SELECT pg_switch_wal()' >/dev/null
  for ((i = 0; i < 2400; i++)); do
    compgen -G "$DATA/pg_wal/archive_status/*.ready" >/dev/null || return 0
    (( i % 60 == 59 )) && log "waiting for the archiver: $(ls "$DATA/pg_wal/archive_status" | grep -c '[.]ready$') files to go"
    sleep 0.5
  done
  die "archiving did not catch up in 20 minutes"
}
settle() { # same start for every timed step: archive caught up, dirty pages written, caches dropped when allowed
  wait_archived
  sync
  [[ $DROP == yes ]] && echo 3 >/proc/sys/vm/drop_caches
  return 0
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { # of the numbers on stdin; "-" for none
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.15g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
target() { local t=$WORK/restore; rm -rf "$t"; as_pg mkdir -m 0700 "$t"; echo "$t"; }
