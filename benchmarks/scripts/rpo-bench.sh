#!/usr/bin/env bash
# RPO exposure under the heaviest sustained pgbench write load this machine produces: a PostgreSQL 15 cluster
# (default 16 MiB segments, synchronous_commit on), walstow daemon archiving into a posix repository (zstd 1 +
# OpenPGP, as shipped), pgbench TPC-B for DURATION seconds. Every second it scrapes the daemon's /metrics and
# records walstow_rpo_exposure_seconds, the backlog and the WAL position; prints the maximum exposure and the WAL
# rate. Run as root (PostgreSQL runs as postgres). Needs a built distribution:
#   mvn -B -q -o package -DskipTests      (packaging/target/walstow)
# Usage: benchmarks/scripts/rpo-bench.sh [DURATION=300] [CLIENTS=8] [SCALE=50]  -> markdown summary on stdout,
#        per-second samples in /tmp/walstow-rpo-bench.samples.tsv
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
dist_src="$repo_root/packaging/target/walstow"
duration="${1:-300}"; clients="${2:-8}"; scale="${3:-50}"
bin=/usr/lib/postgresql/15/bin
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
port=$((26000 + RANDOM % 1000)); mport=$((19000 + RANDOM % 1000))
[ -x "$bin/pgbench" ] || { echo "needs postgresql-15 (apt-get install postgresql-15)" >&2; exit 1; }
[ -d "$dist_src/lib" ] || { echo "no distribution in $dist_src: mvn -B -q -o package -DskipTests" >&2; exit 1; }

work="$(mktemp -d /tmp/walstow-rpo-bench.XXXXXX)"; chmod 755 "$work"
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$dist_src" "$work/walstow"; chmod -R a+rX "$work/walstow"
mkdir -p "$work/sock" "$work/repo" "$work/keys"; chown -R postgres: "$work/sock" "$work/repo" "$work/keys"
as_pg() { runuser -u postgres -- env JAVA_HOME="$java_home" "$@"; }

as_pg "$work/walstow/bin/walstow" keygen --public-key "$work/keys/pub.asc" --secret-key "$work/keys/sec.asc" >/dev/null
cat >"$work/walstow.toml" <<TOML
[repository]
type = "posix"
path = "$work/repo"
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

samples=/tmp/walstow-rpo-bench.samples.tsv
echo -e "t\texposure_s\tbacklog_files\twal_position" >"$samples"
metric() { awk -v n="$1" '$1 == n { print $2 }' <<<"$2"; }
as_pg "$bin/pgbench" "${pg[@]}" -n -c "$clients" -j 2 -T "$duration" -P 60 postgres >"$work/pgbench.out" 2>&1 &
bench_pid=$!
start=$(date +%s)
while kill -0 "$bench_pid" 2>/dev/null; do
  m="$(curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" || true)"
  printf '%s\t%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$(metric walstow_rpo_exposure_seconds "$m")" \
    "$(metric walstow_backlog_segments "$m")" "$(metric walstow_wal_position_bytes "$m")" >>"$samples"
  sleep 1
done
wait "$bench_pid" || { cat "$work/pgbench.out" >&2; exit 1; }
tps="$(awk '/^tps = / { print $3; exit }' "$work/pgbench.out")"
# Drain: how long until everything written is archived.
drain_start=$(date +%s)
for _ in $(seq 600); do
  m="$(curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" || true)"
  [ "$(metric walstow_backlog_segments "$m")" = "0.0" ] && break; sleep 1
done
drain=$(( $(date +%s) - drain_start ))

awk -F'\t' -v tps="$tps" -v clients="$clients" -v scale="$scale" -v drain="$drain" -v cores="$(nproc)" '
  NR > 1 && $2 != "" { if ($2 > max) max = $2; if ($3 > maxb) maxb = $3; n++; sum += $2
    if (first == "" && $4 > 0) { first = $4; t0 = $1 } if ($4 > 0) { last = $4; t1 = $1 } }
  END {
    rate = (t1 > t0) ? (last - first) / (t1 - t0) / 1048576 : 0
    printf "| pgbench clients / scale | %s / %s (%s cores) |\n", clients, scale, cores
    printf "| tps | %s |\n", tps
    printf "| WAL rate (average) | %.1f MiB/s (%.0f segments of 16 MiB per minute) |\n", rate, rate * 60 / 16
    printf "| RPO exposure, max | %.0f s |\n", max
    printf "| RPO exposure, mean | %.1f s |\n", (n ? sum / n : 0)
    printf "| .ready backlog, max | %d segments |\n", maxb
    printf "| drain after the load stopped | %d s |\n", drain
    printf "| samples | %d (one a second) |\n", n
  }' "$samples"
echo
echo "daemon warnings/errors during the run: $(grep -cE ' (WARN|ERROR) ' "$work/daemon.log" || true)"
