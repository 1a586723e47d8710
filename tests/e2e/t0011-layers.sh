#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0011-layers: the arrows of DESIGN.md, checked on the sources. The
# programs (tools/, hooks/, keys/) use libseal's public API only: no
# libseal internal header, no seal__ name. keys/ is below the tools.
# Inside libseal: core/ includes nothing from age/, stores/ or sops/;
# age/ and stores/ only core/ (and themselves); libseal never includes a
# program's header. Unit tests and fuzz targets may reach internals.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
cd "$SEAL_SRCDIR" || exit 2

# includes FILE... -> "file:line:header" for each #include "..."
includes() {
	grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" 2>/dev/null |
		sed 's/^\([^:]*:[0-9]*\):.*include[[:space:]]*"\([^"]*\)".*/\1:\2/'
}
# offenders LABEL PATTERN FILE...: headers matching PATTERN are forbidden
offenders() {
	local label=$1 pat=$2
	shift 2
	local bad
	bad=$(includes "$@" | awk -F: -v pat="$pat" '$3 ~ pat')
	if [ -z "$bad" ]; then
		t_pass "$label"
	else
		t_flunk "$label" $bad
	fi
}

progs=$(find tools hooks keys -name '*.[ch]' | sort)
t_check "there are program sources to check" test -n "$progs"
# shellcheck disable=SC2086
offenders "tools/, hooks/, keys/ include no libseal internal header" \
	'^(core|age|stores|sops|libseal)/' $progs
names=$(grep -Hn 'seal__\|SEAL__' $progs | head -5)
if [ -z "$names" ]; then
	t_pass "tools/, hooks/, keys/ use no seal__ name"
else
	t_flunk "tools/, hooks/, keys/ use no seal__ name" "$names"
fi
offenders "keys/ includes nothing from tools/ or hooks/" '^(tools|hooks)/' \
	keys/*.[ch]
offenders "hooks/ includes nothing from tools/" '^tools/' \
	$(find hooks -name '*.[ch]')
prints=$(grep -Hn '\<\(printf\|fprintf\|puts\|fputs\|perror\|exit\)[[:space:]]*(' \
	keys/*.c | head -5)
if [ -z "$prints" ]; then
	t_pass "keys/ never prints or exits"
else
	t_flunk "keys/ never prints or exits" "$prints"
fi

offenders "libseal/core includes nothing from age/, stores/, sops/" \
	'^(age|stores|sops)/' libseal/core/*.[ch]
offenders "libseal/age includes only core/ and age/" \
	'^(stores|sops)/' libseal/age/*.[ch]
offenders "libseal/stores includes only core/ and stores/" \
	'^(age|sops)/' libseal/stores/*.[ch]
offenders "libseal never includes a program's header" \
	'^(tools|hooks|keys)/' $(find libseal -name '*.[ch]')

# the checker itself: a planted offender is caught
mkdir -p "$T_TMP/plant/tools"
printf '#include "sops/sops.h"\n' >"$T_TMP/plant/tools/x.c"
t_check "a planted internal include is seen" \
	test -n "$(includes "$T_TMP/plant/tools/x.c" | awk -F: '$3 ~ /^(core|age|stores|sops|libseal)\//')"
t_done
