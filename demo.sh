#!/usr/bin/env bash
# walstow demo on an embedded default: a throwaway PostgreSQL 15 cluster archives into a local, encrypted walstow
# repository; a base backup; more writes with known commit times; a point-in-time recovery into a new data
# directory; and a printed proof that exactly the rows committed before the target came back.
# Installs what it lacks (as root) or says what to install. Everything lives in one temp directory, removed at the
# end (WALSTOW_DEMO_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/prerequisites.sh
ensure_prerequisites

PGBIN=/usr/lib/postgresql/15/bin
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ ! -x packaging/target/walstow/bin/walstow ] || [ -n "$(find agent storage archiver-core packaging/src -newer packaging/target/walstow/bin/walstow -type f -print -quit 2>/dev/null)" ]; then
    say "building walstow (mvn package, tests skipped; ./test.sh runs them)"
    mvn -B -q -ntp package -DskipTests
fi

work="$(mktemp -d /tmp/walstow-demo-XXXXXX)"
chmod 755 "$work"
primary="$work/primary"; restored="$work/restored"; repo="$work/repo"; backup="$work/backup"
cleanup() {
    for d in "$restored" "$primary"; do
        [ -f "$d/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
    done
    if [ "${WALSTOW_DEMO_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The postgres OS user runs walstow (as PostgreSQL would), so it gets its own copy of the distribution.
cp -a packaging/target/walstow "$work/walstow"
chown -R postgres:postgres "$work"
pg() { runuser -u postgres -- env JAVA_HOME="$JAVA_HOME" "$@"; }
walstow="$work/walstow/bin/walstow --config $work/walstow.toml"
psql_at() { pg "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h "$work" -p "$1" -U postgres -d postgres -Atq -c "$2"; }

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
TOML
cat "$work/walstow.toml"

say "2. a throwaway PostgreSQL 15 cluster with archive_command = 'walstow archive-push %p'"
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
pg "$PGBIN/pg_ctl" -D "$primary" -l "$work/primary.log" -w start >/dev/null
psql_at 5433 "CREATE TABLE orders (id bigserial PRIMARY KEY, item text, note text,
              created timestamptz NOT NULL DEFAULT clock_timestamp())"
psql_at 5433 "INSERT INTO orders (item, note) SELECT 'seed-' || g, md5(g::text) FROM generate_series(1, 100000) g"

say "3. a base backup (pg_basebackup -X none: its WAL must come from the archive)"
pg mkdir -m 700 -p "$backup"
pg "$PGBIN/pg_basebackup" -h "$work" -p 5433 -U postgres -D "$backup" -X none -c fast

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
echo "target time: $target    rows committed before it: $expected    archived up to: $last"
pg "$PGBIN/pg_ctl" -D "$primary" -m fast -w stop >/dev/null

say "5. point-in-time recovery into a new data directory, restore_command = 'walstow archive-get %f %p'"
pg cp -a "$backup" "$restored"
pg tee -a "$restored/postgresql.conf" >/dev/null <<CONF
port = 5434
restore_command = '$walstow archive-get %f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
CONF
pg touch "$restored/recovery.signal"
pg "$PGBIN/pg_ctl" -D "$restored" -l "$work/restored.log" -w -t 300 start >/dev/null
for _ in $(seq 1 900); do
    [ "$(psql_at 5434 "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break
    sleep 0.2
done

say "6. proof"
got_total="$(psql_at 5434 "SELECT count(*) FROM orders")"
got_before="$(psql_at 5434 "SELECT count(*) FROM orders WHERE item LIKE 'before-%'")"
got_after="$(psql_at 5434 "SELECT count(*) FROM orders WHERE item LIKE 'after-%'")"
restored_files="$(grep -c 'restored log file' "$work/restored.log" || true)"
objects="$(find "$repo/wal" -type l | wc -l)"
stored_bytes="$(du -sb "$repo/wal" | cut -f1)"
printf '%-44s %s\n' "repository objects (encrypted zstd+OpenPGP):" "$objects ($((stored_bytes / 1024)) KiB on disk)" \
    "WAL files restored from the archive:" "$restored_files" \
    "rows committed before target (primary):" "$expected" \
    "rows after recovery:" "$got_total" \
    "'before' rows back (expected 20):" "$got_before" \
    "'after' rows back (expected 0):" "$got_after"
if [ "$got_total" = "$expected" ] && [ "$got_before" = 20 ] && [ "$got_after" = 0 ]; then
    printf '\n\033[1;32mPASS\033[0m: exactly the rows committed before %s came back.\n' "$target"
else
    printf '\n\033[1;31mFAIL\033[0m: recovery did not return exactly the rows committed before the target.\n'
    tail -n 30 "$work/restored.log"
    exit 1
fi
