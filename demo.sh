#!/usr/bin/env bash
# walstow demo on an embedded default, run as a user would run walstow: a throwaway PostgreSQL 15 cluster archives
# through walstow's daemon into a local, encrypted repository; `walstow backup` takes the base backup; more writes
# with known commit times; `walstow info` shows the repository; `walstow restore --target-time` restores into a new
# data directory, PostgreSQL recovers from the archive, and a printed proof shows that exactly the rows committed
# before the target came back.
# Installs what it lacks (as root) or says what to install. Everything lives in one temp directory, removed at the
# end (WALSTOW_DEMO_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/prerequisites.sh
ensure_prerequisites

PGBIN=/usr/lib/postgresql/15/bin
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf '\n\033[1;31mFAIL\033[0m: %s\n' "$*" >&2; exit 1; }

if [ ! -x packaging/target/walstow/bin/walstow ] || [ -n "$(find agent storage archiver-core packaging/src -newer packaging/target/walstow/bin/walstow -type f -print -quit 2>/dev/null)" ]; then
    say "building walstow (mvn package, tests skipped; ./test.sh runs them)"
    mvn -B -q -ntp package -DskipTests
fi

work="$(mktemp -d /tmp/walstow-demo-XXXXXX)"
chmod 755 "$work"
primary="$work/primary"; restored="$work/restored"; repo="$work/repo"
daemon_pid=""
# The daemon's JVM (runuser's child; the launcher execs into it): SIGTERM goes to it directly, since runuser would
# answer a SIGTERM with a SIGKILL to its child two seconds later.
stop_daemon() {
    [ -n "$daemon_pid" ] || return 0
    pkill -TERM -P "$daemon_pid" 2>/dev/null || kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
}
cleanup() {
    for d in "$restored" "$primary"; do
        [ -f "$d/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
    done
    stop_daemon
    if [ "${WALSTOW_DEMO_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The postgres OS user runs walstow (as PostgreSQL would), so it gets its own copy of the distribution.
cp -a packaging/target/walstow "$work/walstow"
chown -R postgres:postgres "$work"
pg() { runuser -u postgres -- env JAVA_HOME="$JAVA_HOME" "$@"; }
walstow="$work/walstow/bin/walstow --config $work/walstow.toml"
psql_at() { pg "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h "$work" -p "$1" -U postgres -d postgres -Atq -c "$2"; }

# The daemon's metrics endpoint (walstow status asks it) on a free loopback port, so the demo runs beside others.
metrics_port=""
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then metrics_port=$p; break; fi
done
[ -n "$metrics_port" ] || fail "no free loopback port for the daemon's metrics endpoint"

say "1. an OpenPGP key pair (the archiving side needs only the public key) and a configuration"
pg "$work/walstow/bin/walstow" keygen --public-key "$work/archive.pub.asc" --secret-key "$work/archive.sec.asc"
pg tee "$work/walstow.toml" >/dev/null <<TOML
[repository]
type = "posix"
path = "$repo"

[compression]
level = 1

[encryption]
recipient = "$work/archive.pub.asc"
secret = "$work/archive.sec.asc"

[postgres]
data = "$primary"
host = "$work"
port = 5433

[metrics]
listen = "127.0.0.1:$metrics_port"
TOML
cat "$work/walstow.toml"

say "2. a throwaway PostgreSQL 15 cluster, archive_command = 'walstow archive-push %p', and walstow's daemon for it"
pg "$PGBIN/initdb" -D "$primary" -A trust -U postgres --no-sync -E UTF8 --locale=C >/dev/null
pg tee -a "$primary/postgresql.conf" >/dev/null <<CONF
port = 5433
listen_addresses = ''
unix_socket_directories = '$work'
wal_level = replica
archive_mode = on
archive_command = '$walstow archive-push %p'
CONF
pg $walstow init
# What systemd's walstow.service does (Type=notify), in the background: ready once it listens on its socket.
runuser -u postgres -- env JAVA_HOME="$JAVA_HOME" nohup $walstow daemon >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 600); do
    [ -S "$primary/pg_wal/.walstow/daemon.sock" ] && grep -q 'daemon listening on' "$work/daemon.log" && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log"; fail "the walstow daemon exited"; }
    sleep 0.1
done
grep -q 'daemon listening on' "$work/daemon.log" || { cat "$work/daemon.log"; fail "the walstow daemon did not start in 60 s"; }
grep -m1 'daemon listening on' "$work/daemon.log"
pg "$PGBIN/pg_ctl" -D "$primary" -l "$work/primary.log" -w start >/dev/null
psql_at 5433 "CREATE TABLE orders (id bigserial PRIMARY KEY, item text, note text,
              created timestamptz NOT NULL DEFAULT clock_timestamp())"
psql_at 5433 "INSERT INTO orders (item, note) SELECT 'seed-' || g, md5(g::text) FROM generate_series(1, 100000) g"

say "3. walstow backup: a base backup into the repository (complete once its WAL is archived)"
pg $walstow backup

say "4. more writes, one transaction each, around a target time"
psql_at 5433 "DO \$\$ BEGIN FOR i IN 1..20 LOOP INSERT INTO orders (item) VALUES ('before-' || i); COMMIT; END LOOP; END \$\$"
sleep 1.1
target="$(psql_at 5433 "SELECT now()")"
sleep 1.1
psql_at 5433 "DO \$\$ BEGIN FOR i IN 1..20 LOOP INSERT INTO orders (item) VALUES ('after-' || i); COMMIT; END LOOP; END \$\$"
expected="$(psql_at 5433 "SELECT count(*) FROM orders WHERE created < '$target'")"
last="$(psql_at 5433 "SELECT pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 1 600); do
    [ "$(psql_at 5433 "SELECT coalesce(last_archived_wal >= '$last', false) FROM pg_stat_archiver")" = t ] && break
    sleep 0.2
done
[ "$(psql_at 5433 "SELECT coalesce(last_archived_wal >= '$last', false) FROM pg_stat_archiver")" = t ] \
    || fail "$last was not archived within 120 s"
echo "target time: $target    rows committed before it: $expected    archived up to: $last"

say "5. walstow status (the daemon archived the WAL) and walstow info (what the repository holds)"
pg $walstow status || true
echo
pg $walstow info

say "6. the primary and its daemon stop: from here on only the repository"
pg "$PGBIN/pg_ctl" -D "$primary" -m fast -w stop >/dev/null
stop_daemon
echo "primary stopped; daemon stopped"

say "7. walstow restore --target-time into a new data directory, then start PostgreSQL on it"
pg $walstow restore --pgdata "$restored" --target-time "$target" --target-action promote
echo "--- written by walstow restore: $(cd "$restored" && ls recovery.signal) and postgresql.auto.conf:"
grep -E '^(restore_command|archive_mode|recovery_target)' "$restored/postgresql.auto.conf"
# A copy beside the primary: its own port (archive_mode = 'off', written by walstow restore, keeps it from
# archiving into the primary's repository).
pg tee -a "$restored/postgresql.conf" >/dev/null <<CONF
port = 5434
CONF
pg "$PGBIN/pg_ctl" -D "$restored" -l "$work/restored.log" -w -t 300 start >/dev/null
for _ in $(seq 1 900); do
    [ "$(psql_at 5434 "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break
    sleep 0.2
done
[ "$(psql_at 5434 "SELECT pg_is_in_recovery()")" = f ] || { tail -n 30 "$work/restored.log"; fail "recovery did not end within 180 s"; }

say "8. proof"
got_total="$(psql_at 5434 "SELECT count(*) FROM orders")"
got_before="$(psql_at 5434 "SELECT count(*) FROM orders WHERE item LIKE 'before-%'")"
got_after="$(psql_at 5434 "SELECT count(*) FROM orders WHERE item LIKE 'after-%'")"
restored_files="$(grep -c 'restored log file' "$work/restored.log" || true)"
by_daemon="$(grep -c ' archived (' "$work/daemon.log" || true)"
objects="$(find "$repo/wal" -type l | wc -l)"
stored_bytes="$(du -sb "$repo" | cut -f1)"
printf '%-44s %s\n' "repository (encrypted zstd+OpenPGP):" "$objects WAL objects, a base backup ($((stored_bytes / 1024)) KiB on disk)" \
    "WAL files archived by the daemon:" "$by_daemon" \
    "WAL files restored from the archive:" "$restored_files" \
    "rows committed before target (primary):" "$expected" \
    "rows after recovery:" "$got_total" \
    "'before' rows back (expected 20):" "$got_before" \
    "'after' rows back (expected 0):" "$got_after"
if ! grep -q "INFO $last archived" "$work/daemon.log"; then
    cat "$work/daemon.log"
    fail "the daemon did not archive $last (the agents archived without it)"
elif [ "$got_total" = "$expected" ] && [ "$got_before" = 20 ] && [ "$got_after" = 0 ]; then
    printf '\n\033[1;32mPASS\033[0m: exactly the rows committed before %s came back.\n' "$target"
else
    tail -n 30 "$work/restored.log"
    fail "recovery did not return exactly the rows committed before the target."
fi
