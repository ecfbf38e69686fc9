#!/usr/bin/env bash
# backup-bench.sh
#
# Full backup and restore throughput of walstow against the two things people use instead, on the same machine, in
# the same run, interleaved (rep 1: A B C, rep 2: B C A, rep 3: C A B) so that drift hits every tool alike:
#
#   walstow      walstow backup / walstow restore (zstd level 1 + OpenPGP public-key encryption, posix repository,
#                [backup] parallelism = BENCH_PARALLEL)
#   basebackup   pg_basebackup -D - -Ft -z -X fetch | gpg --encrypt --recipient-file KEY > base.tar.gz.gpg, the
#                runbook way; restore = gpg --decrypt | tar -xz
#   pgbackrest   pgbackrest backup --type=full / restore (compress-type=zst level 1, repo1-cipher-type=aes-256-cbc,
#                process-max=BENCH_PARALLEL, start-fast)
#
# The database is built here, on a throwaway PostgreSQL 15 cluster run as user postgres: pgbench -i -s BENCH_SCALE
# (150 = about 2.2 GiB). WAL is archived by walstow and pgbackrest both (each backup needs its own archive to
# complete), so every backup pays the same archiving cost. Every restore writes into an empty directory, which is
# deleted afterwards; restores stop at the files (no recovery is started).
#
# MB/s = size of the data directory without pg_wal (measured once, 10^6 bytes) / wall seconds. Page cache: the
# script drops caches before each timed step when it may (root, writable /proc/sys/vm/drop_caches) and says which.
#
# Output: progress on stderr; a Markdown table (median, min-max over the repetitions) and the raw timings on
# stdout. Everything lives in a temp dir under BENCH_TMP (default /var/tmp), removed on exit (trap); the cluster
# is stopped on any exit. Bounded: BENCH_TIMEOUT seconds overall (default 5400), every step under timeout.
#
# Needs: root (the cluster runs as postgres), PostgreSQL 15, gpg, pgbackrest (installed with apt-get if missing),
# a built walstow distribution (WALSTOW_DIST, default packaging/target/walstow; built with
# 'mvn -B -q -o -DskipTests package' if absent).
#
# Environment: BENCH_SCALE (150), BENCH_REPS (3), BENCH_PARALLEL (2), BENCH_TIMEOUT (5400), BENCH_TMP (/var/tmp),
# WALSTOW_DIST, PGBIN (/usr/lib/postgresql/15/bin).
set -Eeuo pipefail

SCALE=${BENCH_SCALE:-150}
REPS=${BENCH_REPS:-3}
PAR=${BENCH_PARALLEL:-2}
TIMEOUT=${BENCH_TIMEOUT:-5400}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIST=${WALSTOW_DIST:-$ROOT/packaging/target/walstow}
DEADLINE=$((SECONDS + TIMEOUT))

log() { printf '[backup-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
left() { local l=$((DEADLINE - SECONDS)); (( l > 0 )) || die "BENCH_TIMEOUT ${TIMEOUT}s reached"; echo "$l"; }

[[ $EUID -eq 0 ]] || die "run as root (the cluster runs as user postgres)"
[[ $REPS =~ ^[1-9][0-9]*$ && $SCALE =~ ^[1-9][0-9]*$ && $PAR =~ ^[1-9][0-9]*$ ]] || die "bad BENCH_* number"
[[ -x $PGBIN/initdb ]] || die "PostgreSQL 15 not found in $PGBIN (apt-get install postgresql-15)"
command -v gpg >/dev/null || die "gpg missing (apt-get install gnupg)"
if ! command -v pgbackrest >/dev/null; then
  log "pgbackrest missing: installing it with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null || die "cannot install pgbackrest"
fi
if [[ ! -x $DIST/bin/walstow ]]; then
  log "no walstow distribution in $DIST: building it (mvn package, tests skipped)"
  (cd "$ROOT" && timeout "$(left)" mvn -B -q -o -DskipTests package) >&2 || die "build failed"
fi

# ---------- throwaway cluster, repositories and keys ----------
WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/walstow-bench.XXXXXX")
chmod 0755 "$WORK"
chown postgres "$WORK"
as_pg() { runuser -u postgres -- "$@"; }
DATA=$WORK/data SOCK=$WORK/sock LOGF=$WORK/postgres.log
STARTED=0

cleanup() {
  local rc=$?
  set +e
  if [[ $STARTED == 1 ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1
  fi
  if [[ -f $DATA/postmaster.pid ]]; then   # belt and braces: our postmaster, by its pid
    local pid; pid=$(head -1 "$DATA/postmaster.pid" 2>/dev/null)
    [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
  fi
  [[ -d $WORK/gnupg ]] && GNUPGHOME=$WORK/gnupg gpgconf --kill gpg-agent 2>/dev/null
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg mkdir -m 0700 "$DATA" "$SOCK" "$WORK/walstow-repo" "$WORK/pgbr-repo" "$WORK/pgbr-log" "$WORK/pgbr-lock" \
  "$WORK/bb" "$WORK/keys" "$WORK/gnupg" "$WORK/tmp"
cp -a "$DIST" "$WORK/walstow-dist" && chown -R postgres "$WORK/walstow-dist"
WALSTOW="$WORK/walstow-dist/bin/walstow --config $WORK/walstow.toml"

as_pg "$DIST/bin/walstow" keygen --public-key "$WORK/keys/pub.asc" --secret-key "$WORK/keys/sec.asc" >/dev/null
as_pg env GNUPGHOME="$WORK/gnupg" gpg --batch --quiet --import "$WORK/keys/sec.asc" 2>/dev/null
CIPHER_PASS=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=
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
repo1-cipher-pass=$CIPHER_PASS
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

log "initdb in $DATA"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --no-locale -E UTF8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
wal_level = replica
archive_mode = on
archive_command = '$WALSTOW archive-push %p && pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench archive-push %p'
max_wal_senders = 4
max_wal_size = 2GB
shared_buffers = 512MB
CONF
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOGF" -w -t 60 start >/dev/null || { tail -20 "$LOGF" >&2; die "start failed"; }
STARTED=1
PSQL=("$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres)
as_pg $WALSTOW init >/dev/null
as_pg timeout 120 "${PGBR[@]}" stanza-create >/dev/null

log "pgbench -i -s $SCALE"
as_pg timeout "$(left)" "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -i -s "$SCALE" -q postgres \
  >"$WORK/pgbench.log" 2>&1 || { tail "$WORK/pgbench.log" >&2; die "pgbench -i failed"; }
as_pg "${PSQL[@]}" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
as_pg "${PSQL[@]}" -c 'SELECT pg_switch_wal()' >/dev/null
BYTES=$(du -sb --exclude=pg_wal "$DATA" | cut -f1)
log "data directory without pg_wal: $BYTES bytes ($((BYTES / 1048576)) MiB)"

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
t_arch=$SECONDS
wait_archived
log "archive caught up with the load in $((SECONDS - t_arch)) s (walstow + pgbackrest archive-push per segment)"

DROP=no
if echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then DROP=yes; fi
settle() { # same start for every timed step: archive caught up, dirty pages written, caches dropped when allowed
  wait_archived
  sync
  [[ $DROP == yes ]] && echo 3 >/proc/sys/vm/drop_caches
  return 0
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

RESULTS=$WORK/results.tsv
: >"$RESULTS"
record() { # tool step seconds stored_bytes
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
  log "$1 $2: $3 s, $(awk -v b="$BYTES" -v s="$3" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s, stored $4 bytes"
}
target() { local t=$WORK/restore; rm -rf "$t"; as_pg mkdir -m 0700 "$t"; echo "$t"; }

run_walstow() {
  settle; local t0; t0=$(now)
  local out; out=$(as_pg timeout "$(left)" $WALSTOW backup) || die "walstow backup failed"
  local t1; t1=$(now)
  local label; label=$(sed -n 's/^backup \([0-9TZ]*\) complete.*/\1/p' <<<"$out")
  [[ -n $label ]] || die "no label in: $out"
  record walstow backup "$(elapsed "$t0" "$t1")" "$(du -sb "$WORK/walstow-repo/backup/$label" | cut -f1)"
  local dir; dir=$(target)
  settle; t0=$(now)
  as_pg timeout "$(left)" $WALSTOW restore --pgdata "$dir" --set "$label" --target immediate >/dev/null \
    || die "walstow restore failed"
  sync; t1=$(now)
  record walstow restore "$(elapsed "$t0" "$t1")" "$(du -sb "$dir" | cut -f1)"
  rm -rf "$dir"
}

run_basebackup() {
  local file=$WORK/bb/base.tar.gz.gpg
  rm -f "$file"
  settle; local t0; t0=$(now)
  as_pg timeout "$(left)" bash -c "set -o pipefail; '$PGBIN/pg_basebackup' -h '$SOCK' -p $PORT -U postgres -c fast \
    -D - -Ft -z -X fetch | GNUPGHOME='$WORK/gnupg' gpg --batch --quiet --trust-model always \
    --encrypt --recipient-file '$WORK/keys/pub.asc' >'$file' && sync '$file'" \
    || die "pg_basebackup | gpg failed"
  local t1; t1=$(now)
  record basebackup backup "$(elapsed "$t0" "$t1")" "$(stat -c %s "$file")"
  local dir; dir=$(target)
  settle; t0=$(now)
  as_pg timeout "$(left)" bash -c "set -o pipefail; GNUPGHOME='$WORK/gnupg' gpg --batch --quiet --decrypt '$file' \
    | tar -xzf - -C '$dir'" || die "gpg --decrypt | tar failed"
  sync; t1=$(now)
  record basebackup restore "$(elapsed "$t0" "$t1")" "$(du -sb "$dir" | cut -f1)"
  rm -rf "$dir" "$file"
}

run_pgbackrest() {
  settle; local t0; t0=$(now)
  as_pg timeout "$(left)" "${PGBR[@]}" backup --type=full >/dev/null || die "pgbackrest backup failed"
  local t1; t1=$(now)
  local set; set=$(ls -1 "$WORK/pgbr-repo/backup/bench" | grep -E '^[0-9]{8}-[0-9]{6}F$' | sort | tail -1)
  record pgbackrest backup "$(elapsed "$t0" "$t1")" "$(du -sb "$WORK/pgbr-repo/backup/bench/$set" | cut -f1)"
  local dir; dir=$(target)
  settle; t0=$(now)
  as_pg timeout "$(left)" "${PGBR[@]}" restore --set="$set" --type=immediate --pg1-path="$dir" >/dev/null \
    || die "pgbackrest restore failed"
  sync; t1=$(now)
  record pgbackrest restore "$(elapsed "$t0" "$t1")" "$(du -sb "$dir" | cut -f1)"
  rm -rf "$dir"
}

TOOLS=(walstow basebackup pgbackrest)
for ((rep = 0; rep < REPS; rep++)); do
  for ((i = 0; i < ${#TOOLS[@]}; i++)); do
    tool=${TOOLS[$(((i + rep) % ${#TOOLS[@]}))]}
    log "repetition $((rep + 1))/$REPS: $tool"
    "run_$tool"
  done
done

# ---------- report ----------
echo "data directory (without pg_wal): $BYTES bytes; scale $SCALE; $REPS repetitions; parallelism $PAR;" \
  "page cache dropped before each step: $DROP"
echo
echo "| tool | step | median s | MB/s (median) | MB/s min-max | stored bytes (median) |"
echo "|---|---|---:|---:|---:|---:|"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for tool in "${TOOLS[@]}"; do
  for step in backup restore; do
    rows=$(awk -F'\t' -v t="$tool" -v s="$step" '$1 == t && $2 == s' "$RESULTS")
    [[ -n $rows ]] || continue
    sec=$(cut -f3 <<<"$rows" | median)
    fastest=$(cut -f3 <<<"$rows" | sort -g | head -1)
    slowest=$(cut -f3 <<<"$rows" | sort -g | tail -1)
    stored=$(cut -f4 <<<"$rows" | median)
    awk -v b="$BYTES" -v t="$tool" -v s="$step" -v m="$sec" -v f="$fastest" -v w="$slowest" -v z="$stored" \
      'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f-%.1f | %.0f |\n", t, s, m, b / 1e6 / m, b / 1e6 / w, b / 1e6 / f, z }'
  done
done
echo
echo "raw (tool, step, seconds, stored bytes), in run order:"
cat "$RESULTS"
