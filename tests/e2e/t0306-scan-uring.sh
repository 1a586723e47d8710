#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0306-scan-uring: `seal scan --all` reads work-tree files in io_uring
# batches (hooks/wtread.c) where the kernel allows it. Where it does not
# (an old kernel: ENOSYS; a container's seccomp profile: EPERM; a ring
# that fails mid-run) the scan reads them the plain way and finds exactly
# the same; SEAL_SCAN_URING forces each case. strace shows which path ran.
# `seal scan PATH` (hooks/walk.c) reads files on disk the same way.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git
t_need_prog strace
SCAN=$(dirname "$SEAL")/seal-scan

git init -q r && cd r || exit 2
for d in 1 2 3 4 5 6; do
	mkdir -p "dir$d"
	for i in $(seq 1 12); do echo "key$i: value $d $i" >"dir$d/f$i.yaml"; done
done
echo 'aws_access_key_id = "AKIA4HKQ2Z7XWJ3PLM5N"' >dir3/leak.txt
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: x\nstringData:\n  password: hunter2\n' >dir5/secret.yaml
git add -A && git -c user.name=a -c user.email=a@b commit -qm files
NFILES=$(git ls-files | wc -l)

t_exit 1 "the default path finds the planted secrets" \
	"$SEAL" scan --all --format json
cp "$T_TMP/out" "$T_TMP/want"
t_json "... the report is valid" "$T_TMP/want"
t_check "... the leaked key" grep -q dir3/leak.txt "$T_TMP/want"
t_check "... the plaintext Secret" grep -q dir5/secret.yaml "$T_TMP/want"

for mode in off enosys eperm broken; do
	t_exit 1 "SEAL_SCAN_URING=$mode: still exit 1" \
		env SEAL_SCAN_URING=$mode "$SEAL" scan --all --format json
	t_cmp "... the same findings" "$T_TMP/want" "$T_TMP/out"
	env SEAL_SCAN_URING=$mode strace -f -qq -c -o "$T_TMP/st" \
		-e trace=io_uring_enter,openat "$SCAN" scan --all -q >/dev/null 2>&1
	opens=$(awk '$NF == "openat" {print $4}' "$T_TMP/st")
	t_check "... no io_uring batch ran" \
		awk '$NF == "io_uring_enter" {exit 1}' "$T_TMP/st"
	t_check "... every file was opened the plain way ($NFILES files)" \
		test "${opens:-0}" -ge "$NFILES"
done

# the same with the ring (where the kernel allows it): fewer opens
strace -f -qq -c -o "$T_TMP/st" -e trace=io_uring_setup,openat \
	"$SCAN" scan --all -q >/dev/null 2>&1
if awk '$NF == "io_uring_setup" && NF == 5 {ok=1} END {exit !ok}' "$T_TMP/st"; then
	opens=$(awk '$NF == "openat" {print $4}' "$T_TMP/st")
	t_check "with io_uring, files are not opened one by one" \
		test "${opens:-0}" -lt "$NFILES"
else
	echo "# io_uring is refused on this machine; only the fallback ran"
fi
# the hook reads the stat-clean work-tree copies of staged files in the
# same batches instead of their loose objects: the same findings, and
# no staged blob opened one by one
for f in dir1/f*.yaml; do echo "edit: 1" >>"$f"; done
echo 'aws_access_key_id = "AKIA4HKQ2Z7XWJ3PLM5N"' >>dir1/f3.yaml
# file times tick coarsely: a file written in the index's tick is racy
# (and rightly read from its blob); the sleep keeps these clean
sleep 1
git add dir1
t_exit 1 "the hook finds the staged key" "$SCAN" hook pre-commit
t_check "... in dir1/f3.yaml" grep -q dir1/f3.yaml "$T_TMP/err"
t_exit 1 "... and without the ring" env SEAL_SCAN_URING=off "$SCAN" hook pre-commit
t_check "... in dir1/f3.yaml" grep -q dir1/f3.yaml "$T_TMP/err"
strace -f -qq -o "$T_TMP/st" -e trace=io_uring_setup,openat \
	"$SCAN" hook pre-commit >/dev/null 2>&1
if grep -q 'io_uring_setup(.*= [0-9]' "$T_TMP/st"; then
	loose=$(grep -c 'openat(.*\.git/objects/[0-9a-f][0-9a-f]/[0-9a-f]' "$T_TMP/st")
	t_check "with io_uring, the 12 staged blobs are not opened ($loose loose objects)" \
		test "$loose" -lt 12
fi
git reset -q --hard

# `seal scan .` (walk.c) reads the work tree in the same batches: the
# same findings with and without a ring, and with the ring fewer opens
t_exit 1 "scan . finds the planted secrets" "$SEAL" scan --format json .
cp "$T_TMP/out" "$T_TMP/want-walk"
t_check "... the leaked key" grep -q dir3/leak.txt "$T_TMP/want-walk"
t_check "... the plaintext Secret" grep -q dir5/secret.yaml "$T_TMP/want-walk"
for mode in off enosys eperm broken; do
	t_exit 1 "scan ., SEAL_SCAN_URING=$mode: still exit 1" \
		env SEAL_SCAN_URING=$mode "$SEAL" scan --format json .
	t_cmp "... the same findings" "$T_TMP/want-walk" "$T_TMP/out"
	env SEAL_SCAN_URING=$mode strace -f -qq -c -o "$T_TMP/st" \
		-e trace=io_uring_enter,openat "$SCAN" scan -q . >/dev/null 2>&1
	opens=$(awk '$NF == "openat" {print $4}' "$T_TMP/st")
	t_check "... no io_uring batch ran" \
		awk '$NF == "io_uring_enter" {exit 1}' "$T_TMP/st"
	t_check "... every file was opened the plain way ($NFILES files)" \
		test "${opens:-0}" -ge "$NFILES"
done
strace -f -qq -c -o "$T_TMP/st" -e trace=io_uring_setup,openat \
	"$SCAN" scan -q . >/dev/null 2>&1
if awk '$NF == "io_uring_setup" && NF == 5 {ok=1} END {exit !ok}' "$T_TMP/st"; then
	opens=$(awk '$NF == "openat" {print $4}' "$T_TMP/st")
	t_check "scan . with io_uring: files are not opened one by one" \
		test "${opens:-0}" -lt "$NFILES"
fi
# a file the ring's first buffer cannot hold is read whole all the same
# (the plain way), and a secret at its very end is found
head -c 200000 /dev/zero | tr '\0' 'x' >dir2/big.txt
echo 'aws_access_key_id = "AKIA4HKQ2Z7XWJ3PLM5N"' >>dir2/big.txt
t_exit 1 "a 200 kB file: the key at its end" "$SEAL" scan --format json .
t_check "... found in dir2/big.txt" grep -q dir2/big.txt "$T_TMP/out"
t_exit 1 "... and without the ring" env SEAL_SCAN_URING=off \
	"$SEAL" scan --format json .
t_check "... found in dir2/big.txt" grep -q dir2/big.txt "$T_TMP/out"
t_done
