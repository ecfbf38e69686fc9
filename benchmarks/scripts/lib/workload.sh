# shellcheck shell=bash
# benchmarks/scripts/lib/workload.sh — the WAL-generating workload shared by make-wal-sample.sh (the codec
# benchmarks' WAL sample) and e2e-bench.sh (the end-to-end backlog): one copy of its SQL and of its round mix, so
# that both make the same kind of WAL. Sourced, not run:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/workload.sh"
#
# The workload, on a fresh cluster:
#   1. pgbench -i -s $WORKLOAD_SCALE, then CHECKPOINT
#   2. `workload_sql schema` (the app_events table and its three indexes)
#   3. rounds of `pgbench -n -c $WORKLOAD_CLIENTS -j $WORKLOAD_THREADS -T $WORKLOAD_ROUND_S ${WORKLOAD_ARGS[@]}`
#      (`workload_round ROUND DIR` sets WORKLOAD_ARGS) until enough WAL is written: two rounds in three mix TPC-B
#      (weight 5) with application-like rows (uuid, timestamptz, text, numeric, jsonb): batch inserts of 20-200
#      rows (weight 3), updates of ~20 recent rows (weight 2), deletes of ~30 old rows (weight 1); every third
#      round is pure TPC-B.
# The callers run the steps (each with its own psql/pgbench wrapper, timeouts and stop condition); this file only
# holds what decides the WAL.
#
# Sizes (each caller may override them through its own environment): WORKLOAD_SCALE (pgbench -i scale, 20),
# WORKLOAD_CLIENTS (4), WORKLOAD_THREADS (2), WORKLOAD_ROUND_S (seconds per pgbench round, 10).
WORKLOAD_SCALE=${WORKLOAD_SCALE:-20}
WORKLOAD_CLIENTS=${WORKLOAD_CLIENTS:-4}
WORKLOAD_THREADS=${WORKLOAD_THREADS:-2}
WORKLOAD_ROUND_S=${WORKLOAD_ROUND_S:-10}

# The pgbench script files `workload_round` names, in DIR (written with `workload_sql NAME >DIR/NAME.sql`).
WORKLOAD_SCRIPTS=(app-insert app-update app-delete)

# workload_sql PART -> prints the SQL of PART on stdout
#   schema      the application table (psql input)
#   app-insert  a batch of 20-200 new rows (pgbench script)
#   app-update  ~20 recent rows marked paid (pgbench script)
#   app-delete  ~30 of the oldest rows deleted (pgbench script)
workload_sql() {
  case $1 in
    schema)
      cat <<'SQL'
CREATE TABLE app_events (
  id          bigserial PRIMARY KEY,
  event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz,
  customer    text        NOT NULL,
  status      text        NOT NULL,
  amount      numeric(12,2),
  payload     jsonb       NOT NULL,
  note        text
);
CREATE UNIQUE INDEX app_events_event_id ON app_events (event_id);
CREATE INDEX app_events_created_at ON app_events (created_at);
CREATE INDEX app_events_customer ON app_events (customer, status);
SQL
      ;;
    app-insert)
      cat <<'SQL'
\set n random(20, 200)
INSERT INTO app_events (customer, status, amount, payload, note, created_at)
SELECT 'customer-' || lpad((random() * 50000)::int::text, 6, '0'),
       (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + floor(random() * 5)::int],
       round((random() * 500)::numeric, 2),
       jsonb_build_object(
         'sku', 'SKU-' || (random() * 9999)::int,
         'qty', 1 + (random() * 5)::int,
         'channel', (ARRAY['web','ios','android','store'])[1 + floor(random() * 4)::int],
         'ip', '10.' || (random() * 255)::int || '.' || (random() * 255)::int || '.' || (random() * 255)::int,
         'session', gen_random_uuid(),
         'tags', jsonb_build_array('promo', 'tier-' || (random() * 3)::int),
         'address', jsonb_build_object('city', (ARRAY['Paris','Berlin','Lyon','Madrid','Oslo'])[1 + floor(random() * 5)::int],
                                       'zip', lpad((random() * 99999)::int::text, 5, '0'))),
       CASE WHEN random() < 0.3 THEN 'order note ' || md5(random()::text) || ' ' || repeat('x', (random() * 40)::int) END,
       now() - random() * interval '2 hours'
FROM generate_series(1, :n);
SQL
      ;;
    app-update)
      cat <<'SQL'
\set k random(1, 1000000)
UPDATE app_events
   SET status = 'paid', updated_at = now(),
       payload = payload || jsonb_build_object('paid_at', now(), 'tx', gen_random_uuid())
 WHERE id BETWEEN (SELECT coalesce(max(id), 0) FROM app_events) - 5000 + (:k % 4900)
              AND (SELECT coalesce(max(id), 0) FROM app_events) - 5000 + (:k % 4900) + 20;
SQL
      ;;
    app-delete)
      cat <<'SQL'
\set k random(1, 1000000)
DELETE FROM app_events
 WHERE id BETWEEN (SELECT coalesce(min(id), 0) FROM app_events) + (:k % 500)
              AND (SELECT coalesce(min(id), 0) FROM app_events) + (:k % 500) + 30;
SQL
      ;;
    *)
      echo "workload_sql: unknown part '$1' (schema, app-insert, app-update, app-delete)" >&2
      return 2
      ;;
  esac
}

# workload_round ROUND DIR -> sets WORKLOAD_ARGS, the pgbench script arguments of round ROUND (1, 2, ...): every
# third round pure TPC-B, the others TPC-B@5 + DIR/app-insert.sql@3 + DIR/app-update.sql@2 + DIR/app-delete.sql@1.
workload_round() {
  if (($1 % 3 == 0)); then
    WORKLOAD_ARGS=(-b tpcb-like)
  else
    WORKLOAD_ARGS=(-b tpcb-like@5 -f "$2/app-insert.sql@3" -f "$2/app-update.sql@2" -f "$2/app-delete.sql@1")
  fi
}
