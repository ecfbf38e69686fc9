#!/usr/bin/env bash
# Start-up cost of one archive_command call, side by side (hyperfine): JVM hello world, the agent JVM (default
# flags, C1+SerialGC, + AOT cache) against a missing daemon socket with fallback=fail, the native launcher's fast
# path for an already-pushed segment, and `test -f` as the floor. Needs a built distribution:
#   mvn -B -q -o package -DskipTests      (packaging/target/walstow)
# Usage: benchmarks/scripts/agent-start-bench.sh [DIST] [RUNS]   -> prints a markdown table, writes JSON to /tmp
# BASELINE_LAUNCHER=/path/to/an/older/bin/walstow adds that launcher's fast path to the same run (e.g. one built from
# an earlier walstow.c: gcc -std=gnu11 -O2 -o /tmp/walstow-old walstow.c), to measure what a launcher change costs.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$(cd "${1:-$repo/packaging/target/walstow}" && pwd)"
runs="${2:-60}"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$java_home/bin/java"
jar="$(ls "$dist"/lib/walstow-agent-*.jar | head -1)"
cache="$(ls "$dist"/lib/walstow-agent.*.aot 2>/dev/null | head -1 || true)"
[ -n "$cache" ] || { echo "no AOT cache in $dist/lib (build with mvn package)" >&2; exit 1; }

work="$(mktemp -d /tmp/walstow-agent-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# A tiny hello world: the floor for any JVM.
mkdir -p "$work/hello"
cat >"$work/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
"$java_home/bin/javac" -d "$work/hello" "$work/hello/Hello.java"

# A fake data directory: PG_VERSION, a daemon spool without a socket (fallback=fail), one segment already pushed
# (status file with the segment's exact mtime, as the daemon writes it), and a stand-in for the daemon as the
# launcher sees one (agent/.../spool/Serving.java): a process holding the fcntl lock on daemon.lock, `serving` with
# its pid, a repository id and the configuration file's fingerprint, renewed every second. The old layout's
# pushed/ marker is there too, for a BASELINE_LAUNCHER from before state was kept per repository.
data="$work/data"
seg=000000010000000000000042
id=0123456789abcdef
spool="$data/pg_wal/.walstow"
mkdir -p "$spool/pushed" "$spool/repo-$id/pushed"
echo 15 >"$data/PG_VERSION"
echo "fallback=fail" >"$spool/agent.properties"
export WALSTOW_CONFIG="$work/walstow.toml"
echo "# benchmark" >"$WALSTOW_CONFIG"
head -c 1048576 /dev/zero >"$data/pg_wal/$seg"
for marker in "$spool/pushed/$seg" "$spool/repo-$id/pushed/$seg"; do
    touch "$marker"
    touch -r "$data/pg_wal/$seg" "$marker"
done
python3 - "$spool" "$id" "$WALSTOW_CONFIG" <<'PY' &
import fcntl, os, sys, time
spool, rid, config = sys.argv[1:]
lock = open(os.path.join(spool, "daemon.lock"), "w")
fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
st = os.stat(config)
fp = "%d:%d:%d:%d.%09d:%d.%09d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns // 10**9,
                                   st.st_mtime_ns % 10**9, st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9)
with open(os.path.join(spool, "serving"), "w") as f:
    f.write("walstow-serving-1 %d %s %s %s\n" % (os.getpid(), rid, fp, config))
deadline = time.time() + 3600
while time.time() < deadline:
    os.utime(os.path.join(spool, "serving"))
    time.sleep(1)
PY
daemon_pid=$!
trap 'kill $daemon_pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
( cd "$data" && "$dist/bin/walstow" archive-push "pg_wal/$seg" ) || { echo "fast path did not answer 0" >&2; exit 1; }
baseline=()
if [ -n "${BASELINE_LAUNCHER:-}" ]; then
    ( cd "$data" && "$BASELINE_LAUNCHER" archive-push "pg_wal/$seg" ) || { echo "baseline did not answer 0" >&2; exit 1; }
    baseline=(-n "baseline launcher fast path ($BASELINE_LAUNCHER)" "$BASELINE_LAUNCHER archive-push pg_wal/$seg")
fi

agent_args=(-Dwalstow.home="$dist" -cp "$jar" dev.walstow.agent.AgentMain archive-push "pg_wal/$seg")
c1=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED)
aot=(-XX:AOTCache="$cache" -XX:AOTMode=auto -Xlog:aot=off -Xlog:cds=off)

cd "$data"
# The agent commands exit 7 (no daemon, fallback=fail) by design: -i ignores that.
hyperfine -N -i --warmup 5 --runs "$runs" --style basic --export-json "${TMPDIR:-/tmp}/agent-start.json" \
    --export-markdown "${TMPDIR:-/tmp}/agent-start.md" \
    -n "test -f (floor)" "test -f pg_wal/.walstow/pushed/$seg" \
    -n "launcher fast path: archive-push, already pushed" "$dist/bin/walstow archive-push pg_wal/$seg" \
    "${baseline[@]}" \
    -n "java Hello (-Xshare:auto)" "$java -Xshare:auto -cp $work/hello Hello" \
    -n "agent JVM, default flags" "$java ${agent_args[*]}" \
    -n "agent JVM, C1 + SerialGC + -UsePerfData" "$java ${c1[*]} ${agent_args[*]}" \
    -n "agent JVM, C1 + SerialGC + AOT cache" "$java ${c1[*]} ${aot[*]} ${agent_args[*]}" \
    -n "launcher -> agent JVM (no status file)" "$dist/bin/walstow archive-push pg_wal/00000001000000000000004F"

# Median and spread (p10..p90) per command: the mean is meaningless on a noisy shared machine.
python3 - "${TMPDIR:-/tmp}/agent-start.json" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
print("| command | median ms | p10–p90 ms | min ms |")
print("|---|---:|---:|---:|")
for r in res:
    t = sorted(x * 1000 for x in r["times"])
    q = statistics.quantiles(t, n=10)
    print(f"| {r['command']} | {statistics.median(t):.1f} | {q[0]:.1f}–{q[-1]:.1f} | {t[0]:.1f} |")
PY
