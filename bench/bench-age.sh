#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-age.sh - seal age vs Debian's age, side by side in one run:
# throughput on a big file (default 256 MiB) both ways, a 1 KiB file end
# to end, peak RSS against file size, and the library's small-file
# decrypt rate (the SOPS hot path), and start-up (`--version`, with page
# faults: each costs ~11 us on our VMs). Prints medians and ratios.
#   SEAL=build/seal BIG_MB=256 RUNS=5 bash bench/bench-age.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=${SEAL:-$top/build/seal}
SMALL=${SMALL:-$(dirname "$SEAL")/../bench/bench-age-small}
BIG_MB=${BIG_MB:-256}
RUNS=${RUNS:-5}
command -v age >/dev/null || { echo "bench-age: age not installed" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench-age: hyperfine missing" >&2; exit 2; }
[ -x "$SEAL" ] || { echo "bench-age: no seal binary at $SEAL" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-age.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$SEAL" keygen -o key 2>/dev/null
R=$("$SEAL" keygen -y key)
head -c $((BIG_MB << 20)) /dev/urandom >big
head -c $((16 << 20)) /dev/urandom >mid
head -c 1024 /dev/urandom >small
age -r "$R" -o big.age big
age -r "$R" -o mid.age mid
age -r "$R" -o small.age small

echo "# seal: $SEAL"
echo "# age: $(command -v age) ($(age --version 2>/dev/null || echo '?'))"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

report() { # report NAME JSON MB: medians (wall) and mean CPU (user+sys)
	python3 -c 'import json, sys
name, path, mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
s, a = json.load(open(path))["results"]
cs, ca = s["user"] + s["system"], a["user"] + a["system"]
if mb > 0:
    print("%-16s seal %7.4f s (%5.0f MB/s) cpu %6.3f s | age %7.4f s (%5.0f MB/s) cpu %6.3f s | wall ratio %.2fx, cpu ratio %.2fx"
          % (name, s["median"], mb / s["median"], cs, a["median"], mb / a["median"], ca, a["median"] / s["median"], ca / cs))
else:
    print("%-16s seal %7.2f ms cpu %5.2f ms | age %7.2f ms cpu %5.2f ms | wall ratio %.2fx, cpu ratio %.2fx"
          % (name, s["median"] * 1e3, cs * 1e3, a["median"] * 1e3, ca * 1e3, a["median"] / s["median"], ca / cs))' "$1" "$2" "$3"
}
hf() { hyperfine -N --style none -w 1 "$@" >/dev/null 2>&1; }

hf -r "$RUNS" --export-json enc.json \
	"$SEAL age -r $R big" "age -r $R big"
hf -r "$RUNS" --export-json dec.json \
	"$SEAL age -d -i key big.age" "age -d -i key big.age"
hf -r 40 --export-json small.json \
	"$SEAL age -d -i key small.age" "age -d -i key small.age"
hf -r 40 --export-json smallenc.json \
	"$SEAL age -r $R small" "age -r $R small"
hf -r 40 --export-json version.json "$SEAL --version" "age --version"
echo "## medians of wall time, mean CPU time (hyperfine, output to /dev/null)"
report "encrypt ${BIG_MB} MiB" enc.json "$((BIG_MB * 1048576 / 1000000))"
report "decrypt ${BIG_MB} MiB" dec.json "$((BIG_MB * 1048576 / 1000000))"
report "decrypt 1 KiB" small.json 0
report "encrypt 1 KiB" smallenc.json 0
report "--version" version.json 0
echo "## page faults (minor, /usr/bin/time -f %R)"
for c in "--version" "age -d -i key small.age"; do
	s=$(/usr/bin/time -f %R "$SEAL" $c 2>&1 >/dev/null | tail -1)
	a=$(/usr/bin/time -f %R age ${c#age } 2>&1 >/dev/null | tail -1)
	printf '%-24s seal %5s age %5s\n' "$c" "$s" "$a"
done
command -v file >/dev/null && echo "# seal is $(file -b "$SEAL" | cut -d, -f1,4)"

echo "## peak RSS (KiB, /usr/bin/time -f %M)"
for f in small mid big; do
	s=$(/usr/bin/time -f %M "$SEAL" age -d -i key $f.age 2>&1 >/dev/null | tail -1)
	a=$(/usr/bin/time -f %M age -d -i key $f.age 2>&1 >/dev/null | tail -1)
	se=$(/usr/bin/time -f %M "$SEAL" age -r "$R" $f 2>&1 >/dev/null | tail -1)
	ae=$(/usr/bin/time -f %M age -r "$R" $f 2>&1 >/dev/null | tail -1)
	printf '%-6s %10s bytes: decrypt seal %7s age %7s   encrypt seal %7s age %7s\n' \
		"$f" "$(stat -c %s $f)" "$s" "$a" "$se" "$ae"
done
if [ -x "$SMALL" ]; then
	echo "## library: small armored files (sops enc), one core"
	"$SMALL" 20000
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
