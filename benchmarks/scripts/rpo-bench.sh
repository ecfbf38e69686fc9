#!/usr/bin/env bash
# RPO exposure under sustained pgbench write load: a PostgreSQL 15 cluster (default 16 MiB segments), the walstow
# daemon archiving into a posix repository or into S3 (a real s3proxy 4.1.0 on loopback, storing on the same disk),
# zstd 1 + OpenPGP as shipped, pgbench for DURATION seconds. Every second it scrapes the daemon's /metrics and
# records walstow_rpo_exposure_seconds, the backlog and the WAL position; prints the maximum exposure and the WAL
# rate. Run as root (PostgreSQL runs as postgres). Needs a built distribution:
#   mvn -B -q -o package -DskipTests      (packaging/target/walstow)
# Usage: [RPO_REPO=posix|s3] [RPO_LOAD=heavy|tpcb|sync] benchmarks/scripts/rpo-bench.sh [DURATION=300]
#   -> markdown summary on stdout, per-second samples in /tmp/walstow-rpo-bench.REPO-LOAD.samples.tsv and the
#      daemon's log in /tmp/walstow-rpo-bench.REPO-LOAD.daemon.log
# Loads (RPO_LOAD), chosen by 45 s probes on the 2-core benchmark machine (benchmarks/results/rpo.md):
#   heavy  the highest sustained WAL rate found: insert-batch (1000-row INSERT ... SELECT generate_series into
#          pgbench_history, append-only), synchronous_commit = off, 4 clients, 2 threads. A side loop empties
#          pgbench_history every 10 s (TRUNCATE) so the table stays below about 1 GB on a shared disk; the WAL
#          written is the same.
#   tpcb   the heaviest TPC-B: pgbench's built-in tpcb-like, synchronous_commit = off, 4 clients, 2 threads
#   sync   the first measurement: tpcb-like, synchronous_commit = on, 8 clients, 2 threads
#   All at scale 50. Each part can be overridden for probes: RPO_SCRIPT (insert-batch or a pgbench built-in:
#   tpcb-like, simple-update), RPO_BATCH (rows per insert-batch INSERT), RPO_SYNC_COMMIT (on|off),
#   RPO_CLIENTS, RPO_JOBS, RPO_SCALE.
# s3: the s3proxy class path is resolved offline by Maven from the storage module's test scope (the versions the
# tests use); s3proxy runs in its own JVM on 127.0.0.1, storing under the temporary directory. Access keys are
# random, live only in the temporary directory and are deleted with it.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
dist_src="$repo_root/packaging/target/walstow"
duration="${1:-300}"
repo="${RPO_REPO:-posix}"; load="${RPO_LOAD:-heavy}"
case "$load" in
  heavy) script=insert-batch sync=off clients=4 ;;
  tpcb) script=tpcb-like sync=off clients=4 ;;
  sync) script=tpcb-like sync=on clients=8 ;;
  *) echo "RPO_LOAD must be heavy, tpcb or sync" >&2; exit 2 ;;
esac
script="${RPO_SCRIPT:-$script}"; sync="${RPO_SYNC_COMMIT:-$sync}"; clients="${RPO_CLIENTS:-$clients}"
jobs="${RPO_JOBS:-2}"; scale="${RPO_SCALE:-50}"; batch="${RPO_BATCH:-1000}"
case "$repo" in posix|s3) ;; *) echo "RPO_REPO must be posix or s3" >&2; exit 2 ;; esac
bin=/usr/lib/postgresql/15/bin
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$bin/pgbench" ] || { echo "needs postgresql-15 (apt-get install postgresql-15)" >&2; exit 1; }
[ -d "$dist_src/lib" ] || { echo "no distribution in $dist_src: mvn -B -q -o package -DskipTests" >&2; exit 1; }
free_port() { # a loopback TCP port nobody listens on, from a range of its own
  local p
  for _ in $(seq 50); do
    p=$(( $1 + RANDOM % 1000 ))
    [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
  done
  echo "no free port in $1..$(( $1 + 999 ))" >&2; return 1
}
port=$(free_port 26000); mport=$(free_port 19000)

work="$(mktemp -d /tmp/walstow-rpo-bench.XXXXXX)"; chmod 755 "$work"
cleanup() {
  [ -n "${truncator_pid:-}" ] && kill "$truncator_pid" 2>/dev/null || true
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  # $daemon_pid is runuser's: the daemon's JVM (which exec'd from the launcher) outlived it and kept running on a
  # deleted directory, competing for the cores with the next run. Stop it by what its command line names.
  pkill -TERM -f -- "-Dwalstow.home=$work/walstow " 2>/dev/null || true
  for _ in $(seq 50); do pgrep -f -- "-Dwalstow.home=$work/walstow " >/dev/null || break; sleep 0.2; done
  pkill -KILL -f -- "-Dwalstow.home=$work/walstow " 2>/dev/null || true
  runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  [ -n "${s3proxy_pid:-}" ] && kill "$s3proxy_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$dist_src" "$work/walstow"; chmod -R a+rX "$work/walstow"
mkdir -p "$work/sock" "$work/repo" "$work/keys"; chown -R postgres: "$work/sock" "$work/repo" "$work/keys"
as_pg() { runuser -u postgres -- env JAVA_HOME="$java_home" "$@"; }

if [ "$repo" = s3 ]; then
  # s3proxy's Main sends System.err to its logger; slf4j-simple must then write to stdout, or it logs forever.
  JAVA_HOME="$java_home" mvn -B -q -o -f "$repo_root/pom.xml" -pl storage dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/s3proxy.classpath" >"$work/mvn.log" 2>&1 \
    || { cat "$work/mvn.log" >&2; exit 1; }
  s3port=$(free_port 28000); bucket=walstow-rpo; access=walstow-bench
  secret="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  (umask 077; mkdir "$work/s3"
   cat >"$work/s3/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3/data
jclouds.identity=$access
jclouds.credential=$secret
CONF
   printf 'user = "%s:%s"\n' "$access" "$secret" >"$work/s3/curl.conf"
   printf '%s\n' "$secret" >"$work/keys/s3.secret")
  mkdir "$work/s3/data"; chown postgres: "$work/keys/s3.secret"
  "$java_home/bin/java" -Dorg.slf4j.simpleLogger.logFile=System.out -cp "$(cat "$work/s3proxy.classpath")" \
    org.gaul.s3proxy.Main --properties "$work/s3/s3proxy.conf" >"$work/s3proxy.log" 2>&1 &
  s3proxy_pid=$!
  for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.2; done
  # CreateBucket, signed with AWS v4 (the empty body's SHA-256 as x-amz-content-sha256).
  curl -sS -f -K "$work/s3/curl.conf" --aws-sigv4 aws:amz:us-east-1:s3 -X PUT \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    "http://127.0.0.1:$s3port/$bucket" || { echo "s3proxy did not start:" >&2; cat "$work/s3proxy.log" >&2; exit 1; }
  repository="type = \"s3\"
bucket = \"$bucket\"
prefix = \"db1\"
endpoint = \"http://127.0.0.1:$s3port\"
path-style = true
credentials = \"static\"
access-key-id = \"$access\"
secret-access-key-file = \"$work/keys/s3.secret\""
else
  repository="type = \"posix\"
path = \"$work/repo\""
fi

as_pg "$work/walstow/bin/walstow" keygen --public-key "$work/keys/pub.asc" --secret-key "$work/keys/sec.asc" >/dev/null
cat >"$work/walstow.toml" <<TOML
[repository]
$repository
[encryption]
recipient = "$work/keys/pub.asc"
[postgres]
data = "$work/data"
host = "$work/sock"
port = $port
[metrics]
listen = "127.0.0.1:$mport"
[guard]
rpo = "15m"
TOML
chown postgres: "$work/walstow.toml"
install -d -o postgres "$work/data"
as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work/sock'
wal_level = replica
archive_mode = on
archive_timeout = 0
archive_command = '$work/walstow/bin/walstow --config $work/walstow.toml archive-push %p'
max_wal_size = 4GB
checkpoint_timeout = 15min
shared_buffers = 512MB
synchronous_commit = $sync
max_connections = $(( clients + 20 ))
CONF
as_pg "$work/walstow/bin/walstow" --config "$work/walstow.toml" init >/dev/null
as_pg "$work/walstow/bin/walstow" --config "$work/walstow.toml" daemon --pgdata "$work/data" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$work/data/pg_wal/.walstow/daemon.sock" ] && break; sleep 0.2; done
as_pg "$bin/pg_ctl" -D "$work/data" -w -l "$work/sock/server.log" start >/dev/null
pg=(-h "$work/sock" -p "$port" -U postgres)
as_pg "$bin/pgbench" "${pg[@]}" -i -q -s "$scale" postgres >/dev/null 2>&1
as_pg "$bin/psql" "${pg[@]}" -Atqc "select pg_switch_wal()" postgres >/dev/null
sleep 5

case "$script" in
  insert-batch)
    cat >"$work/insert-batch.sql" <<SQL
\\set aid random(1, 100000 * :scale)
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) SELECT 1, 1, :aid, g, now() FROM generate_series(1, $batch) g;
SQL
    chmod a+r "$work/insert-batch.sql"; workload=(-f "$work/insert-batch.sql") ;;
  *) workload=(-b "$script") ;;
esac
samples="/tmp/walstow-rpo-bench.$repo-$load.samples.tsv"
echo -e "t\texposure_s\tbacklog_files\twal_position" >"$samples"
metric() { awk -v n="$1" '$1 == n { print $2 }' <<<"$2"; }
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
log_lines_before=$(wc -l <"$work/daemon.log") # start-up (the guard connects before PostgreSQL is up) is not counted
as_pg "$bin/pgbench" "${pg[@]}" -n "${workload[@]}" -c "$clients" -j "$jobs" -T "$duration" -P 60 postgres \
  >"$work/pgbench.out" 2>&1 &
bench_pid=$!
if [ "$script" = insert-batch ]; then
  (while sleep 10 && kill -0 "$bench_pid" 2>/dev/null; do
     as_pg "$bin/psql" "${pg[@]}" -Atqc "set lock_timeout = '2s'; truncate pgbench_history" postgres >/dev/null 2>&1 || true
   done) &
  truncator_pid=$!
fi
start=$(date +%s)
while kill -0 "$bench_pid" 2>/dev/null; do
  m="$(curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" || true)"
  printf '%s\t%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$(metric walstow_rpo_exposure_seconds "$m")" \
    "$(metric walstow_backlog_segments "$m")" "$(metric walstow_wal_position_bytes "$m")" >>"$samples"
  sleep 1
done
wait "$bench_pid" || { cat "$work/pgbench.out" >&2; exit 1; }
[ -z "${truncator_pid:-}" ] || { kill "$truncator_pid" 2>/dev/null; wait "$truncator_pid" 2>/dev/null || true; }
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
tps="$(awk '/^tps = / { printf "%.0f", $3; exit }' "$work/pgbench.out")"
# Drain: how long until everything written is archived.
drain_start=$(date +%s)
for _ in $(seq 600); do
  m="$(curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" || true)"
  [ "$(metric walstow_backlog_segments "$m")" = "0.0" ] && break; sleep 1
done
drain=$(( $(date +%s) - drain_start ))
ratio="$(metric walstow_compression_ratio "$m")"

awk -F'\t' -v tps="$tps" -v drain="$drain" -v ratio="$ratio" -v cores="$(nproc)" -v repo="$repo" \
    -v workload="$load: $script$([ "$script" = insert-batch ] && echo " ($batch rows)"), synchronous_commit = $sync, $clients clients, $jobs threads, scale $scale" \
    -v loadavg="$load_before before, $load_after after" '
  NR > 1 && $2 != "" { if ($2 > max) max = $2; if ($3 > maxb) maxb = $3; n++; sum += $2; if ($2 > 60) over++
    if (first == "" && $4 > 0) { first = $4; t0 = $1 } if ($4 > 0) { last = $4; t1 = $1 } }
  END {
    rate = (t1 > t0) ? (last - first) / (t1 - t0) / 1048576 : 0
    printf "| repository | %s |\n", repo
    printf "| pgbench | %s (%s cores) |\n", workload, cores
    printf "| load average (1/5/15 min) | %s |\n", loadavg
    printf "| tps | %s |\n", tps
    printf "| WAL rate (average) | %.1f MiB/s (%.0f segments of 16 MiB per minute) |\n", rate, rate * 60 / 16
    printf "| compression (WAL bytes / stored bytes) | %.1f |\n", ratio
    printf "| RPO exposure, max | %.0f s |\n", max
    printf "| RPO exposure, mean | %.1f s |\n", (n ? sum / n : 0)
    printf "| samples above 60 s | %d |\n", over
    printf "| .ready backlog, max | %d segments |\n", maxb
    printf "| drain after the load stopped | %d s |\n", drain
    printf "| samples | %d (one a second) |\n", n
  }' "$samples"
echo
grep '^progress' "$work/pgbench.out" || true # pgbench -P 60: tps per minute, to see the load is sustained
warnings="$(tail -n +$(( log_lines_before + 1 )) "$work/daemon.log" | grep -E '^\S+ \S+ \S+ (WARN|ERROR) ' || true)"
echo "daemon warnings/errors during the load and the drain: $(grep -c . <<<"$warnings" || true)"
[ -z "$warnings" ] || cut -d' ' -f4- <<<"$warnings" | cut -c1-240 | sort | uniq -c | sort -rn | head -5
cp "$work/daemon.log" "/tmp/walstow-rpo-bench.$repo-$load.daemon.log"
