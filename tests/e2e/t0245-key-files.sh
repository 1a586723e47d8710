#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0245-key-files.sh - private key files: checked on the opened
# descriptor (strace shows no stat of the path before its open), refused
# when group/other-readable with the chmod 600 advice, accepted on a
# read-only file system laid out as Kubernetes mounts a Secret (0444,
# ..data symlinks), read from a pipe.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age-keygen
t_need_prog age
age-keygen -o key.txt 2>/dev/null
chmod 600 key.txt
R=$(sed -n 's/^# public key: //p' key.txt)
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n  k: v\n' >plain.yaml
"$SEAL" encrypt -r "$R" plain.yaml >s.yaml || exit 2
printf 'hi\n' | age -r "$R" -o msg.age

SOPS_AGE_KEY_FILE=$PWD/key.txt t_ok "a 0600 key file is used" "$SEAL" decrypt s.yaml
cp key.txt open.txt
chmod 644 open.txt
SOPS_AGE_KEY_FILE=$PWD/open.txt t_exit 2 "a 0644 key file is refused" "$SEAL" decrypt s.yaml
t_check "... with the mode and the fix" grep -q "open.txt.*mode 0644.*chmod 600" "$T_TMP/err"
t_check "... in one line" test "$(wc -l <"$T_TMP/err")" -eq 1
chmod 640 open.txt
t_exit 2 "seal age -d -i of a 0640 key file is refused" \
	"$SEAL" age -d -i open.txt msg.age
t_check "... with the fix" grep -q "chmod 600 '.*open.txt'" "$T_TMP/err"
t_ok "a key from a pipe is read (no mode to check)" \
	sh -c "cat key.txt | '$SEAL' age -d -i - msg.age"
mkdir keydir
SOPS_AGE_KEY_FILE=$PWD/keydir t_exit 2 "a directory is refused" "$SEAL" decrypt s.yaml

# fstat on the descriptor: the path is opened before anything looks at it
if command -v strace >/dev/null 2>&1; then
	SOPS_AGE_KEY_FILE=$PWD/key.txt strace -f -o trace \
		-e trace=stat,lstat,newfstatat,statx,open,openat "$SEAL" decrypt s.yaml >/dev/null 2>&1
	first=$(grep -m1 'key\.txt"' trace)
	t_check "the key file is opened before it is checked (${first%%(*})" \
		sh -c "grep -m1 'key\\.txt\"' trace | grep -q 'open'"
	t_check "... and never stat()ed by its path" \
		sh -c "! grep 'key\\.txt\"' trace | grep -qv 'open'"
elif [ "${CI:-}" = true ]; then
	t_flunk "strace is not installed in CI"
else
	t_skip "strace not installed"
fi

# A Kubernetes Secret volume: read-only tmpfs, 0444 files behind ..data
mkdir ro
cat >mount.sh <<'EOF'
set -e
mount -t tmpfs -o mode=0755 none ro
mkdir ro/..2026_01_01_00_00_00.1
cp key.txt ro/..2026_01_01_00_00_00.1/keys.txt
chmod 444 ro/..2026_01_01_00_00_00.1/keys.txt
ln -s ..2026_01_01_00_00_00.1 ro/..data
ln -s ..data/keys.txt ro/keys.txt
mount -o remount,ro ro
SOPS_AGE_KEY_FILE=$PWD/ro/keys.txt "$SEAL" decrypt s.yaml >ro.out
"$SEAL" age -d -i ro/keys.txt msg.age >ro.age.out
EOF
if unshare -rm true 2>/dev/null; then
	t_ok "a 0444 key on a read-only file system (a Kubernetes Secret) is used" \
		unshare -rm env SEAL="$SEAL" sh mount.sh
	t_cmp "... by seal decrypt" plain.yaml ro.out
	t_check "... and by seal age -d" test "$(cat ro.age.out)" = hi
elif [ "${CI:-}" = true ]; then
	t_flunk "unshare -rm (a mount namespace) is not available in CI"
else
	t_skip "no user and mount namespaces here"
fi
t_done
