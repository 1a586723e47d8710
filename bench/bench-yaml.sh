#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-yaml.sh - the YAML store's speed on a generated ~10 MB multi-
# document manifest file (Secrets with comments, literals, lists), side by
# side in one run with the peer PyYAML on the same libyaml (C loader and
# dumper, which keep no comments), and `seal encrypt` of the file end to
# end. Prints MB/s medians and ratios.
#   SEAL=build/seal MB=10 RUNS=7 bash bench/bench-yaml.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=${SEAL:-$top/build/seal}
BENCH=${BENCH_YAML:-$(dirname "$SEAL")/../bench/bench-yaml}
MB=${MB:-10}
RUNS=${RUNS:-7}
[ -x "$BENCH" ] || { echo "bench-yaml: build it first: make -C build bench/bench-yaml" >&2; exit 2; }
python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null ||
	{ echo "bench-yaml: python3-yaml with libyaml missing" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-yaml.XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/big.yaml" "$MB" <<'PY'
import random, sys
random.seed(7)
path, mb = sys.argv[1], int(sys.argv[2])
al = "abcdefghijklmnopqrstuvwxyz0123456789"
out, size, d = [], 0, 0
while size < mb * 1000 * 1000:
    doc = ["---\napiVersion: v1\nkind: Secret\nmetadata:\n"
           "    name: s%d\n    namespace: default # where it lives\n"
           "    labels:\n        app: demo\n# the values\nstringData:\n" % d]
    for i in range(40):
        v = "".join(random.choice(al) for _ in range(random.randint(8, 400)))
        doc.append("    key%d: %s\n" % (i, v))
    doc.append("    port: \"5432\"\n    cert: |\n        -----BEGIN-----\n"
               "        MIIBszCCAVmgAwIBAgIUQ0FGRUJBQkVDQUZF\n"
               "        -----END-----\n    hosts:\n        - a.example\n"
               "        - b.example\n")
    s = "".join(doc)
    out.append(s)
    size += len(s)
    d += 1
open(path, "w").write("".join(out))
PY
bytes=$(wc -c <"$dir/big.yaml")
echo "# file: $bytes bytes, $(grep -c '^---' "$dir/big.yaml") documents"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

"$BENCH" "$dir/big.yaml" "$RUNS" >"$dir/seal.txt"
python3 - "$dir/big.yaml" "$RUNS" >"$dir/py.txt" <<'PY'
import statistics, sys, time, yaml
data = open(sys.argv[1], "rb").read()
mb = len(data) / 1e6
tl, td, tt = [], [], []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    nodes = list(yaml.compose_all(data, Loader=yaml.CSafeLoader))
    t1 = time.perf_counter()
    yaml.serialize_all(nodes, Dumper=yaml.CSafeDumper, width=1 << 30)
    t2 = time.perf_counter()
    tl.append(t1 - t0); td.append(t2 - t1); tt.append(t2 - t0)
print("py_parse %.1f" % (mb / statistics.median(tl)))
print("py_emit %.1f" % (mb / statistics.median(td)))
print("py_parse_emit %.1f" % (mb / statistics.median(tt)))
PY
get() { sed -n "s/^$1 //p" "$dir/$2"; }
printf '%-34s %10s %10s %8s\n' "in-process, MB/s (median of $RUNS)" seal pyyaml ratio
for w in parse emit parse_emit; do
	s=$(get "seal_$w" seal.txt); p=$(get "py_$w" py.txt)
	printf '%-34s %10s %10s %7.1fx\n' "$w" "$s" "$p" "$(echo "$s / $p" | bc -l)"
done
printf '%-34s %10s\n' "libyaml bare event scan (floor)" "$(get libyaml_events seal.txt)"

if [ -x "$SEAL" ] && command -v hyperfine >/dev/null; then
	"$SEAL" keygen -o "$dir/key" 2>/dev/null
	R=$("$SEAL" keygen -y "$dir/key")
	hyperfine -N -w 1 -r 5 --export-json "$dir/enc.json" \
		"$SEAL encrypt -r $R --input-type yaml --output-type yaml $dir/big.yaml" \
		>/dev/null 2>&1 || true
	if [ -s "$dir/enc.json" ]; then
		python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))["results"][0]["median"]
print("%-34s %10.1f MB/s (median %.3f s, 5 runs)" % ("seal encrypt end to end", int(sys.argv[2]) / 1e6 / m, m))' "$dir/enc.json" "$bytes"
	fi
fi
