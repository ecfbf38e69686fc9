#!/usr/bin/env bash
# codec-baselines.sh SAMPLEDIR
#
# Single-threaded CLI baselines for the per-segment codec, on a WAL sample made by
# make-wal-sample.sh: zstd -1 / -3 (-T1, one frame per segment, as walstow stores them),
# zstd -d, gpg --symmetric and gpg --encrypt (AES256, no compression), openssl enc
# aes-256-ctr / aes-256-cfb and sha256sum. Every tool runs once per repetition, the tools
# interleaved, so they see the same machine noise. Input comes from the page cache
# (warmed first), output goes to /dev/null.
#
# Prints a table: median MB/s of plaintext (1 MB = 10^6 bytes) with min-max and IQR
# over the repetitions, and the compression ratio for zstd.
#
# Environment: REPS (default 5), SEGMENTS (use only the first N segments; default all),
# KEEP_TMP=1 keeps the scratch dir (concatenated sample, compressed copies, gpg home).
set -Eeuo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 SAMPLEDIR" >&2; exit 2; }
SAMPLE=$(cd "$1" && pwd)
REPS=${REPS:-5}
for t in zstd gpg openssl sha256sum awk; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done

mapfile -t SEGS < <(find "$SAMPLE" -maxdepth 1 -type f -printf '%f\n' | grep -E '^[0-9A-F]{24}$' | sort)
[[ -n ${SEGMENTS:-} ]] && SEGS=("${SEGS[@]:0:$SEGMENTS}")
[[ ${#SEGS[@]} -gt 0 ]] || { echo "no WAL segments in $SAMPLE (run make-wal-sample.sh)" >&2; exit 1; }
FILES=("${SEGS[@]/#/$SAMPLE/}")
PLAIN=0; for f in "${FILES[@]}"; do PLAIN=$((PLAIN + $(stat -c %s "$f"))); done

# Scratch space: tmpfs if it has room, so the concatenated copy stays in memory.
SCRATCH_BASE=/dev/shm
avail=$(df -B1 --output=avail "$SCRATCH_BASE" 2>/dev/null | tail -1 || echo 0)
(( avail > 3 * PLAIN )) || SCRATCH_BASE=${TMPDIR:-/tmp}
TMP=$(mktemp -d "$SCRATCH_BASE/walstow-baselines.XXXXXX")
cleanup() { [[ ${KEEP_TMP:-0} == 1 ]] && echo "kept $TMP" >&2 || rm -rf "$TMP"; }
trap cleanup EXIT

log() { printf '[codec-baselines %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
log "${#SEGS[@]} segments, $PLAIN bytes, $REPS repetitions, scratch $TMP"

# gpg home with a recipient key (RSA 3072; the public-key part is per message, negligible).
export GNUPGHOME=$TMP/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg --batch -q --pinentry-mode loopback --passphrase '' \
    --quick-generate-key 'walstow bench <bench@walstow.invalid>' rsa3072 encr never 2>/dev/null
gpg-connect-agent /bye >/dev/null 2>&1 || true   # agent start-up is not measured
GPG=(gpg --batch -q --no-tty --trust-model always --compress-algo none --cipher-algo AES256)
PASS=walstow-bench-passphrase

# One concatenated plaintext for the stream tools, per-segment zstd frames for zstd -d.
cat "${FILES[@]}" >"$TMP/plain.bin"
zstd -1 -T1 -q -c "${FILES[@]}" >"$TMP/l1.zst"
zstd -3 -T1 -q -c "${FILES[@]}" >"$TMP/l3.zst"
cat "${FILES[@]}" "$TMP/plain.bin" >/dev/null   # warm the page cache

declare -A CMD RATIO
NAMES=(zstd-1 zstd-3 zstd-d-1 zstd-d-3 gpg-symmetric gpg-encrypt openssl-aes-256-ctr openssl-aes-256-cfb sha256sum openssl-sha256)
declare -A TINY   # per-invocation fixed cost (gpg-agent, S2K), measured on 1 KiB, reported apart
CMD[zstd-1]='zstd -1 -T1 -q -c "${FILES[@]}" >/dev/null'
CMD[zstd-3]='zstd -3 -T1 -q -c "${FILES[@]}" >/dev/null'
CMD[zstd-d-1]='zstd -d -T1 -q -c "$TMP/l1.zst" >/dev/null'
CMD[zstd-d-3]='zstd -d -T1 -q -c "$TMP/l3.zst" >/dev/null'
CMD[gpg-symmetric]='"${GPG[@]}" --pinentry-mode loopback --passphrase "$PASS" --s2k-mode 3 --s2k-count 65536 --symmetric -o - "$TMP/plain.bin" >/dev/null'
CMD[gpg-encrypt]='"${GPG[@]}" --encrypt -r bench@walstow.invalid -o - "$TMP/plain.bin" >/dev/null'
CMD[openssl-aes-256-ctr]='openssl enc -aes-256-ctr -pbkdf2 -pass pass:$PASS -in "$TMP/plain.bin" -out /dev/null'
CMD[openssl-aes-256-cfb]='openssl enc -aes-256-cfb -pbkdf2 -pass pass:$PASS -in "$TMP/plain.bin" -out /dev/null'
CMD[sha256sum]='sha256sum "${FILES[@]}" >/dev/null'
CMD[openssl-sha256]='openssl dgst -sha256 "${FILES[@]}" >/dev/null'
head -c 1024 /dev/urandom >"$TMP/tiny.bin"
TINY[gpg-symmetric]=${CMD[gpg-symmetric]//plain.bin/tiny.bin}
TINY[gpg-encrypt]=${CMD[gpg-encrypt]//plain.bin/tiny.bin}
RATIO[zstd-1]=$(awk -v p=$PLAIN -v c=$(stat -c %s "$TMP/l1.zst") 'BEGIN{printf "%.3f", p/c}')
RATIO[zstd-3]=$(awk -v p=$PLAIN -v c=$(stat -c %s "$TMP/l3.zst") 'BEGIN{printf "%.3f", p/c}')
RATIO[zstd-d-1]=${RATIO[zstd-1]}; RATIO[zstd-d-3]=${RATIO[zstd-3]}

RAW=$TMP/raw.tsv; : >"$RAW"
for ((r = 1; r <= REPS; r++)); do
  for n in "${NAMES[@]}"; do
    fixed=0
    if [[ -n ${TINY[$n]:-} ]]; then
      t0=$(date +%s%N); eval "${TINY[$n]}"; t1=$(date +%s%N); fixed=$((t1 - t0))
      printf '%s\t%d\t%.3f\n' "$n-fixed-seconds" "$r" "$(awk -v ns=$fixed 'BEGIN{print ns/1e9}')" >>"$RAW"
    fi
    t0=$(date +%s%N); eval "${CMD[$n]}"; t1=$(date +%s%N)
    awk -v n="$n" -v r="$r" -v p=$PLAIN -v ns=$((t1 - t0)) 'BEGIN{printf "%s\t%d\t%.1f\n", n, r, p / (ns / 1e9) / 1e6}' >>"$RAW"
  done
  log "repetition $r/$REPS done"
done

echo
echo "# CLI baselines: ${#SEGS[@]} WAL segments ($((PLAIN / 1048576)) MiB), $REPS repetitions, single thread"
echo "# MB/s = 10^6 bytes of plaintext per second (decompression: of plaintext produced)"
echo "# gpg rows: gross (one invocation on the whole sample); fixed cost per invocation below"
printf '%-22s %10s %19s %19s %8s\n' tool 'median' 'min-max' 'IQR (q1-q3)' ratio
for n in "${NAMES[@]}"; do
  awk -F'\t' -v n="$n" '$1 == n {print $3}' "$RAW" | sort -g | awk -v n="$n" -v ratio="${RATIO[$n]:--}" '
    {v[NR] = $1}
    function q(p,  h, lo) { h = (NR - 1) * p + 1; lo = int(h); return v[lo] + (h - lo) * (v[lo + 1 < NR ? lo + 1 : NR] - v[lo]) }
    END { printf "%-22s %10.1f %9.1f-%-9.1f %9.1f-%-9.1f %8s\n", n, q(0.5), v[1], v[NR], q(0.25), q(0.75), ratio }'
done
for n in gpg-symmetric gpg-encrypt; do
  awk -F'\t' -v n="$n-fixed-seconds" '$1 == n {print $3}' "$RAW" | sort -g |
    awk -v n="$n" '{v[NR]=$1} END {printf "# %s fixed cost per invocation: median %.2f s (min %.2f, max %.2f)\n", n, v[int((NR+1)/2)], v[1], v[NR]}'
done
if [[ -n ${RAW_OUT:-} ]]; then cp "$RAW" "$RAW_OUT"; fi
