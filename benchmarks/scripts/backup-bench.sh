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
# 'mvn -B -q -ntp -DskipTests package' if absent). The cluster and helpers: lib/bench-cluster.sh.
#
# Environment: BENCH_SCALE (150), BENCH_REPS (3), BENCH_PARALLEL (2), BENCH_TIMEOUT (5400), BENCH_TMP (/var/tmp),
# WALSTOW_DIST, PGBIN (/usr/lib/postgresql/15/bin).
set -Eeuo pipefail

BENCH_NAME=backup-bench
# shellcheck source=lib/bench-cluster.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/bench-cluster.sh"
bench_checks
bench_workdir
bench_start_cluster
bench_pgbench_init

RESULTS=$WORK/results.tsv
: >"$RESULTS"
record() { # tool step seconds stored_bytes
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
  log "$1 $2: $3 s, $(awk -v b="$BYTES" -v s="$3" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s, stored $4 bytes"
}

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
