#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-updatekeys.sh - re-wrapping a repository after a key change, side
# by side in one run:
#   1. `seal updatekeys DIR` over N sealed files (one process, every core);
#   2. one `seal updatekeys FILE` process per file, as sops users script
#      it today (find -exec sops updatekeys), over the first M files (the
#      cost per file is constant, so files/s carries over to N).
# Both write every file the same way: temp file, fsync, rename, fsync of
# the directory (durability kept). The files are copies of one sealed
# Secret (sealing 10,000 files one by one would take longer than the
# benchmark); each copy is unwrapped and re-wrapped on its own.
# Prints files/s of each and the ratio; load average before and after.
# Usage: bench/bench-updatekeys.sh   (SEAL=path/to/seal, default build/seal;
#        N=10000 files, M=1000 for the per-process side)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=${SEAL:-$top/build/seal}
SEAL=$(cd "$(dirname "$SEAL")" && pwd)/$(basename "$SEAL")
N=${N:-10000}
M=${M:-1000}
for p in age-keygen python3; do
	command -v "$p" >/dev/null || { echo "bench-updatekeys: $p is needed" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
age-keygen -o admin.txt 2>/dev/null
age-keygen -o new.txt 2>/dev/null
A=$(sed -n 's/^# public key: //p' admin.txt)
B=$(sed -n 's/^# public key: //p' new.txt)
export SOPS_AGE_KEY_FILE=$work/admin.txt
mkdir -p repo/clusters/prod
cd repo
printf 'creation_rules:\n    - path_regex: ^clusters/\n      encrypted_regex: ^(data|stringData)$\n      age: %s\n' "$A" >.sops.yaml
cat >one.yaml <<'EOF'
apiVersion: v1
kind: Secret
metadata:
    name: db
    namespace: prod
stringData:
    user: app
    password: correct-horse-battery-staple
    host: db.prod.svc
    port: "5432"
    url: postgres://app@db.prod.svc:5432/app
EOF
"$SEAL" encrypt -i -r "$A" --encrypted-regex "^(data|stringData)$" one.yaml
python3 - "$N" <<'EOF'
import os, sys
src = open("one.yaml", "rb").read()
n = int(sys.argv[1])
for i in range(n):
    d = "clusters/prod/d%02d" % (i % 100)
    os.makedirs(d, exist_ok=True)
    open("%s/s%05d.yaml" % (d, i), "wb").write(src)
EOF
rm one.yaml
cp -a clusters ../pristine
# the key change: a second recipient in the rule
printf 'creation_rules:\n    - path_regex: ^clusters/\n      encrypted_regex: ^(data|stringData)$\n      age: %s,%s\n' "$A" "$B" >.sops.yaml
sync
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"

now() { date +%s.%N; }
t0=$(now)
"$SEAL" updatekeys -q clusters
t1=$(now)
bulk=$(python3 -c "print('%.3f' % ($t1 - $t0))")
ok=$(grep -l "$B" -r clusters | wc -l)
[ "$ok" -eq "$N" ] || { echo "bench-updatekeys: only $ok/$N files re-wrapped" >&2; exit 1; }

rm -rf clusters && cp -a ../pristine clusters && sync
find clusters -name '*.yaml' | sort | head -n "$M" >../list
t0=$(now)
while read -r f; do "$SEAL" updatekeys -q "$f"; done <../list
t1=$(now)
per=$(python3 -c "print('%.3f' % ($t1 - $t0))")
ok=$(xargs grep -l "$B" <../list | wc -l)
[ "$ok" -eq "$M" ] || { echo "bench-updatekeys: only $ok/$M files re-wrapped" >&2; exit 1; }
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$N" "$bulk" "$M" "$per" <<'EOF'
import sys
n, bulk, m, per = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
a, b = n / bulk, m / per
print("seal updatekeys DIR (%d files, one process): %.2f s, %.0f files/s" % (n, bulk, a))
print("one seal updatekeys per file (%d files):      %.2f s, %.0f files/s" % (m, per, b))
print("ratio: %.1fx (goal >= 10x)" % (a / b))
EOF
