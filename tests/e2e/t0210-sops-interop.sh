#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0210-sops-interop.sh - 120 generated documents (Kubernetes Secrets with
# data and stringData, nested maps, lists, ints, floats, bools, comments;
# YAML, JSON and dotenv) sealed by seal and decrypted by an independent
# implementation, the npm sops-age package; every JSON file's enc stanzas
# unwrap with Debian's age CLI to a 32-byte data key.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog node
t_need_prog age
t_need_prog age-keygen
# peers live in the source checkout (scripts/peers.sh); SEAL_PEERS points
# there from a tarball build (make distcheck)
peers=${SEAL_PEERS:-$SEAL_SRCDIR/tests/peers}
if [ ! -d "$peers/node_modules/sops-age" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - sops-age missing in CI (run scripts/peers.sh)"
		echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP sops-age not installed (run scripts/peers.sh)"
	exit 0
fi
N=120
mkdir plain sealed
age-keygen -o key.txt 2>/dev/null
chmod 600 key.txt
R=$(sed -n 's/^# public key: //p' key.txt)

t_ok "generate $N documents" node "$SEAL_SRCDIR/tests/interop/gen.mjs" plain $N
n=0 bad=0
for f in plain/*; do
	case $f in *.expected.json) continue ;; esac
	n=$((n + 1))
	"$SEAL" encrypt -r "$R" "$f" >"sealed/${f#plain/}" 2>err || {
		bad=$((bad + 1)); echo "# seal encrypt $f: $(cat err)"; }
done
t_check "seal encrypted all $n documents" test "$bad" -eq 0 -a "$n" -eq "$N"
node "$SEAL_SRCDIR/tests/interop/check.mjs" "$peers" sealed plain key.txt \
    >report 2>&1
rc=$?
sed 's/^/# /' report
t_check "sops-age decrypts every document to the same values" \
    grep -qx "decrypted $N/$N, age-unwrapped [0-9]*/[0-9]*" report
t_check "age -d unwraps every enc stanza to 32 bytes" test "$rc" -eq 0
# and the other way round: seal reads each file it wrote, same values
bad=0
for f in sealed/*.json; do
	SOPS_AGE_KEY_FILE=key.txt "$SEAL" decrypt "$f" >dec.json || bad=$((bad + 1))
	node -e 'const a=JSON.parse(require("fs").readFileSync(process.argv[1]));
	    const b=JSON.parse(require("fs").readFileSync(process.argv[2]));
	    process.exit(JSON.stringify(a)===JSON.stringify(b)?0:1)' \
	    dec.json "plain/${f#sealed/}.expected.json" || bad=$((bad + 1))
done
t_check "seal decrypts its JSON output back to the same values" test "$bad" -eq 0
t_done
