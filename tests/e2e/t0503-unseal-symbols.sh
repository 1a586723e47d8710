#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0503-unseal-symbols: unseal is decrypt-only. Its dynamic build links
# the shared libseal, so every libseal call it makes is an undefined
# symbol: none may seal, re-wrap a data key or make a key. And the
# running process has core dumps off.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog nm
U="$SEAL_BUILDDIR/unseal"
bin="$SEAL_BUILDDIR/.libs/unseal"
[ -x "$bin" ] || bin="$U"

nm -D --undefined-only "$bin" | awk '{ print $NF }' | sed 's/@.*//' | sort -u >undef
t_check "unseal calls libseal (the check sees its calls)" grep -qx 'seal_sops_decrypt' undef
# the deny-list t0591 checks against the static-PIE build's defined names
deny=$(grep -v '^#' "$SEAL_SRCDIR/tests/unseal-denylist.txt")
t_check "the deny-list is not empty" test -n "$deny"
for s in $deny; do
	t_check "no $s" bash -c "! grep -qx '$s' undef"
done
t_check "no libseal internal (seal__) name" bash -c "! grep -q '^seal__' undef"

# core dumps off in the running process
mkfifo in
"$U" in >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do # the libtool wrapper execs the program
	case $(readlink /proc/$pid/exe) in *unseal*) break ;; esac
	sleep 0.1
done
sleep 0.2
t_check "RLIMIT_CORE is 0" bash -c "grep -E '^Max core file size +0 +0' /proc/$pid/limits"
exec 3>in; exec 3>&-
wait $pid
t_done
