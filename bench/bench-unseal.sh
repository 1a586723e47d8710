#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-unseal.sh - the in-cluster decryptor, side by side in one run:
#   1. `unseal render` of a directory of 10,000 sealed Secrets (each file
#      sealed on its own, so each has its own data key), with 20 keys
#      loaded and the files spread over their 20 recipients, on one core
#      (taskset -c 0): documents/s and peak RSS (/usr/bin/time -v);
#      goal >= 10,000 documents/s and < 32 MB;
#   2. the KSOPS way, one decrypting process per file: `seal decrypt`
#      (all 20 identities in its keys file, as KSOPS loads one keys.txt)
#      and the npm sops-age decryptor (node, given the file's own key),
#      timed on the first 200 files, also on one core, and extrapolated
#      to 10,000: the ratio is what a user gains.
# Medians of RUNS runs (default 5; the node peer PEER_RUNS, default 2).
# The sealed corpus is kept in $BENCH_UNSEAL_DIR (default
# build/bench-unseal) and reused (bench/bench-unseal-corpus makes it).
# Usage: bench/bench-unseal.sh  (SEAL, UNSEAL: the programs, default
#        build/seal and a static-PIE unseal linked from build/'s objects
#        as the image links it; BENCH_DOCS, BENCH_KEYS, BENCH_SAMPLE)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=${SEAL:-$top/build/seal}
SEAL=$(cd "$(dirname "$SEAL")" && pwd)/$(basename "$SEAL")
UNSEAL=${UNSEAL:-}
N=${BENCH_DOCS:-10000}
K=${BENCH_KEYS:-20}
S=${BENCH_SAMPLE:-200}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-2}
CORPUS=${BENCH_UNSEAL_DIR:-$(dirname "$SEAL")/bench-unseal}
PEERS=${SEAL_PEERS:-$top/tests/peers}
for p in "$SEAL" ${UNSEAL:+"$UNSEAL"} /usr/bin/time taskset python3; do
	command -v "$p" >/dev/null || { echo "bench-unseal: $p is needed" >&2; exit 2; }
done

# ---- the corpus: K keys, N Secrets, file i sealed for key i % K ---------
# Each file sealed on its own (own data key), in one process
# (bench/bench-unseal-corpus) rather than N seal runs.
BUILD=$(dirname "$SEAL")
stamp="$N docs $K keys v2"
if [ "$(cat "$CORPUS/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "== making the corpus in $CORPUS ($N files, $K keys)"
	make -s -C "$BUILD" bench/bench-unseal-corpus >/dev/null
	rm -rf "$CORPUS"
	mkdir -p "$CORPUS/keys" "$CORPUS/app"
	for k in $(seq 0 $((K - 1))); do
		"$SEAL" keygen -o "$CORPUS/keys/k$k.agekey" 2>/dev/null
		"$SEAL" keygen -y "$CORPUS/keys/k$k.agekey" >"$CORPUS/keys/k$k.pub"
	done
	cat "$CORPUS"/keys/k*.agekey >"$CORPUS/keys.txt"
	chmod 600 "$CORPUS/keys.txt"
	rcpts=()
	for k in $(seq 0 $((K - 1))); do rcpts+=("$(cat "$CORPUS/keys/k$k.pub")"); done
	"$BUILD/bench/bench-unseal-corpus" "$CORPUS/app" "$N" "${rcpts[@]}"
	echo "$stamp" >"$CORPUS/.stamp"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the program: by default the static-PIE unseal the image ships,
# linked from this build's objects as deploy/image/Containerfile links it
# (as t0591 does; build/unseal itself is left alone), else the build's
# own unseal.
if [ -z "$UNSEAL" ]; then
	cat >"$work/print.mk" <<'MK'
print-unseal-link:
	@echo 'objs=( $(unseal_OBJECTS) )'
	@echo 'libs=( $(CORE_LIBS) )'
	@echo 'cc="$(CC)"'
	@echo 'flags="$(AM_CFLAGS) $(CFLAGS) $(AM_LDFLAGS) $(unseal_LDFLAGS)"'
MK
	UNSEAL=$BUILD/unseal
	rm -f "$CORPUS/unseal-static-pie"
	if make -s -C "$BUILD" unseal libseal/libseal-core.la >/dev/null 2>&1 &&
	    make -s --no-print-directory -C "$BUILD" -f Makefile -f "$work/print.mk" \
		print-unseal-link 2>/dev/null | grep -E '^(objs|libs|cc|flags)=' >"$work/link.sh"; then
		. "$work/link.sh"
		(cd "$BUILD" && ./libtool --quiet --tag=CC --mode=link $cc $flags \
			-static-pie -Wl,-z,pack-relative-relocs \
			-o "$CORPUS/unseal-static-pie" "${objs[@]}" "${libs[@]}") \
			>"$work/link.log" 2>&1 &&
			[ -x "$CORPUS/unseal-static-pie" ] && UNSEAL=$CORPUS/unseal-static-pie
	fi
	[ "$UNSEAL" = "$BUILD/unseal" ] &&
		echo "   (no static-PIE unseal could be linked: timing $UNSEAL)"
fi

echo "== $UNSEAL on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. unseal render ---------------------------------------------------
echo "== 1. unseal render of $N sealed Secrets, $K keys loaded, one core"
cd "$CORPUS/app"
for r in $(seq "$RUNS"); do
	env -i PATH=/usr/bin:/bin ARGOCD_APP_PROJECT_NAME=bench \
	    taskset -c 0 /usr/bin/time -v -o "$work/time.$r" \
	    "$UNSEAL" render --keys "$CORPUS/keys" . >"$work/out.$r" ||
		{ echo "bench-unseal: unseal render failed" >&2; cat "$work/time.$r" >&2; exit 1; }
done
docs=$(grep -c '^kind: Secret' "$work/out.1" || true)
if [ "$docs" -ne "$N" ] || grep -q 'ENC\[' "$work/out.1"; then
	echo "bench-unseal: render gave $docs of $N Secrets, or ciphertext" >&2
	exit 1
fi
python3 - "$work" "$RUNS" "$N" >"$work/unseal.txt" <<'PY'
import re, statistics, sys
work, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
walls, cpus, rss = [], [], []
for r in range(1, runs + 1):
    t = open("%s/time.%d" % (work, r)).read()
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    h, mi, s = m.group(1), m.group(2), m.group(3)
    walls.append((int(h or 0) * 60 + int(mi)) * 60 + float(s))
    cpus.append(float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1)) +
                float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1)))
    rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)))
w, c = statistics.median(walls), statistics.median(cpus)
print("wall %.3f" % w)
print("   unseal render: median %.3f s wall (min %.3f, max %.3f) = %d documents/s;"
      " cpu %.3f s = %d documents per CPU-second" % (w, min(walls), max(walls), n / w, c, n / c))
print("   peak RSS: median %.1f MB, max %.1f MB (goal < 32 MB)" %
      (statistics.median(rss) / 1024, max(rss) / 1024))
print("   goal >= 10000 documents/s on one core: %s on CPU time (%d/s), %s on wall time (%d/s; wall counts the"
      " time other processes took the core)" % ("met" if n / c >= 10000 else "MISSED", n / c,
      "met" if n / w >= 10000 else "MISSED", n / w))
print("   goal peak RSS < 32 MB: %s" % ("met" if max(rss) < 32 * 1024 else "MISSED"))
PY
sed -n '2,$p' "$work/unseal.txt"
uwall=$(sed -n 's/^wall //p' "$work/unseal.txt")

# ---- 2. one process per file (KSOPS) ------------------------------------
echo "== 2. one decrypting process per file, $S files, one core, extrapolated to $N"
ls "$CORPUS/app" | head -n "$S" >"$work/sample"
peer() { # name runs command-prefix... (each file appended)
	local name=$1 runs=$2 r t0 t1
	shift 2
	for r in $(seq "$runs"); do
		t0=$(date +%s.%N)
		while read -r f; do
			"$@" "$f" </dev/null >/dev/null || { echo "bench-unseal: $name failed on $f" >&2; return 1; }
		done <"$work/sample"
		t1=$(date +%s.%N)
		echo "$t0 $t1" >>"$work/peer.$name"
	done
}
export SOPS_AGE_KEY_FILE=$CORPUS/keys.txt
peer seal-decrypt "$RUNS" taskset -c 0 "$SEAL" decrypt
names=(seal-decrypt)
if command -v node >/dev/null && [ -d "$PEERS/node_modules/sops-age" ]; then
	cat >"$work/sopsage.cjs" <<JS
const { decryptSops } = require("$PEERS/node_modules/sops-age");
const fs = require("fs");
const f = process.argv[2];
const i = parseInt(f.slice(1, 6), 10) % $K;  // sNNNNN.yaml: file i has key i % K
const key = fs.readFileSync("$CORPUS/keys/k" + i + ".agekey", "utf8").split("\n")
  .find((l) => l.startsWith("AGE-SECRET-KEY-"));
decryptSops(fs.readFileSync(f, "utf8"), { secretKey: key, fileType: "yaml" })
  .then((v) => process.stdout.write(JSON.stringify(v)),
        (e) => { console.error(e.message); process.exit(1); });
JS
	peer sops-age "$PEER_RUNS" taskset -c 0 node "$work/sopsage.cjs"
	names+=(sops-age)
else
	echo "   (npm sops-age not installed in $PEERS: scripts/peers.sh)"
fi
python3 - "$work" "$S" "$N" "$uwall" "${names[@]}" <<'PY'
import statistics, sys
work, s, n, uwall = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for name in sys.argv[5:]:
    runs = [float(b) - float(a) for a, b in
            (l.split() for l in open("%s/peer.%s" % (work, name)))]
    m = statistics.median(runs)
    ext = m / s * n
    print("   %-13s %d files: median %.2f s (%d runs) = %.2f ms/file; %d files: %.0f s;"
          " unseal render is %.0fx faster" % (name, s, m, len(runs), m / s * 1e3, n, ext, ext / uwall))
PY
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
