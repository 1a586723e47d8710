#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-sops.sh - SOPS sealing speed, side by side with peers, in one run:
#   1. in-process decrypt of a typical 5-value Secret (documents/s on one
#      core; bench/bench-sops-decrypt, built here with make);
#   2. `seal decrypt` of that file end to end, next to Debian's `age -d`
#      of a file of the same size and (if installed) the npm sops-age
#      decryptor, with hyperfine (medians and ratios);
#   3. sealing a 10 MB YAML file (MB/s), next to `age -e` of the same
#      bytes.
# CPU time (user + system, hyperfine's means) is printed next to wall
# time: on a shared machine it is the steadier figure.
# Usage: bench/bench-sops.sh   (SEAL=path/to/seal, default build/seal)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=${SEAL:-$top/build/seal}
SEAL=$(cd "$(dirname "$SEAL")" && pwd)/$(basename "$SEAL")
# the build directory: seal sits at its top
BUILD=${BUILD:-$(dirname "$SEAL")}
N=${BENCH_DOCS:-20000}
for p in hyperfine age age-keygen python3; do
	command -v "$p" >/dev/null || { echo "bench-sops: $p is needed" >&2; exit 2; }
done
make -s -C "$BUILD" bench/bench-sops-decrypt >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
age-keygen -o key.txt 2>/dev/null
chmod 600 key.txt
R=$(sed -n 's/^# public key: //p' key.txt)
export SOPS_AGE_KEY_FILE=$work/key.txt

echo "== $SEAL on $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. in-process decrypt of a 5-value Secret (one core)"
"$BUILD/bench/bench-sops-decrypt" "$N" 200 | tee inproc.txt
rate=$(sed -n 's/^decrypt: .* = \([0-9]*\) documents\/s.*/\1/p' inproc.txt)
cpurate=$(sed -n 's/^decrypt: .* = \([0-9]*\) documents per CPU-second.*/\1/p' inproc.txt)
echo "   decrypt rate: $rate documents/s wall, $cpurate per CPU-second (target >= 12000)"

cat >secret.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: prod
type: Opaque
stringData:
  username: app
  password: 8c1f0e7b2a9d4c3e
  host: db.prod.svc.cluster.local
  port: "5432"
  url: postgres://app@db.prod.svc.cluster.local:5432/app
YAML
"$SEAL" encrypt -i -r "$R" secret.yaml
size=$(wc -c <secret.yaml)
head -c "$size" /dev/urandom >same-size.bin
age -e -a -r "$R" -o same-size.age same-size.bin
cmds=("$SEAL decrypt secret.yaml" "age -d -i key.txt same-size.age")
names=("seal decrypt" "age -d")
peer=$top/tests/peers/node_modules/sops-age
if command -v node >/dev/null && [ -d "$peer" ]; then
	cat >sopsage.cjs <<JS
const { decryptSops } = require("$peer");
const fs = require("fs");
decryptSops(fs.readFileSync(process.argv[2], "utf8"), {
  secretKey: fs.readFileSync(process.argv[3], "utf8").split("\n")
    .find((l) => l.startsWith("AGE-SECRET-KEY-")), fileType: "yaml" })
  .then((v) => process.stdout.write(JSON.stringify(v)));
JS
	cmds+=("node sopsage.cjs secret.yaml key.txt")
	names+=("node sops-age")
fi
# The floor of any process on this machine, in the same run: a static C
# program that does nothing (glibc's start-up alone: CPU feature probing,
# TLS, a few page faults). A figure below it is not reachable by seal.
if printf 'int main(void) { return 0; }\n' >empty.c &&
    ${CC:-cc} -O2 -static -o empty empty.c 2>/dev/null; then
	cmds+=("./empty")
	names+=("empty static C")
fi
echo "== 2. end-to-end decrypt of that file ($size bytes), side by side"
hyperfine -N --warmup 20 --runs 300 --export-json e2e.json "${cmds[@]}" >/dev/null
python3 - e2e.json "${names[@]}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
for name, x in zip(sys.argv[2:], r):
    print("   %-16s median %7.3f ms  (min %.3f, max %.3f)  ratio to seal %.2f"
          "  cpu %.3f ms" %
          (name, x["median"] * 1e3, x["min"] * 1e3, x["max"] * 1e3,
           x["median"] / base, (x["user"] + x["system"]) * 1e3))
print("   seal decrypt median %.3f ms (target < 2 ms)" % (base * 1e3))
PY

echo "== 3. sealing a 10 MB YAML file"
python3 - <<'PY'
import random
random.seed(1)
out = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: big", "data:"]
size, i = 0, 0
alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
while size < 10 * 1024 * 1024:
    line = "  key%d: %s" % (i, "".join(random.choice(alpha) for _ in range(random.randint(20, 120))))
    out.append(line)
    size += len(line) + 1
    i += 1
open("big.yaml", "w").write("\n".join(out) + "\n")
PY
big=$(wc -c <big.yaml)
hyperfine -N --warmup 1 --runs 5 --export-json big.json \
    "$SEAL encrypt -r $R big.yaml" "age -e -r $R big.yaml" >/dev/null
python3 - big.json "$big" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
size = int(sys.argv[2])
for name, x in zip(["seal encrypt", "age -e"], r):
    cpu = x["user"] + x["system"]
    print("   %-13s median %7.1f ms = %6.1f MB/s  (cpu %.1f ms = %.1f MB/s)" %
          (name, x["median"] * 1e3, size / x["median"] / 1e6, cpu * 1e3,
           size / cpu / 1e6))
print("   seal encrypt: %.1f MB/s (target >= 30); ratio to age -e %.2f" %
      (size / r[0]["median"] / 1e6, r[0]["median"] / r[1]["median"]))
PY
