#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0320-scan-families: the project's own corpus tests/fixtures/scan/FAMILY/
# {block,allow}/ (generic credentials in dotenv, INI, Markdown, properties
# and TOML files, YAML !!binary values, Helm/Jinja Secret templates,
# secret-manager references, PEM markers without a key body), each case
# committed with a real `git commit` through the installed hook: every
# block case refused, every allow case accepted, and at least ten cases of
# each verdict in every family.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

F=$SEAL_SRCDIR/tests/fixtures/scan
for fam in "$F"/*/; do
	fam=$(basename "$fam")
	for verdict in block allow; do
		r=$T_TMP/$fam-$verdict
		git init -q "$r"
		(cd "$r" && "$SEAL" hook install >/dev/null) ||
			t_flunk "hook install in $fam-$verdict"
		git -C "$r" commit -q --allow-empty -m base
		n=0
		for f in "$F/$fam/$verdict"/*; do
			n=$((n + 1))
			c=$(basename "$f")
			mkdir -p "$r/$c.d"
			# the case keeps its file name (extension and all)
			cp "$f" "$r/$c.d/${c#[0-9][0-9]-}"
			git -C "$r" add "$c.d"
			git -C "$r" commit -q -m "$c" >"$T_TMP/out" 2>"$T_TMP/err"
			rc=$?
			if [ "$verdict" = block ]; then
				if [ $rc -ne 0 ] && grep -q 'seal: commit refused' "$T_TMP/err"; then
					t_pass "$fam: refuses $c"
				else
					t_flunk "$fam: refuses $c" "exit $rc" "$(head -3 "$T_TMP/err")"
				fi
				git -C "$r" rm -rq --cached "$c.d"
			else
				if [ $rc -eq 0 ]; then
					t_pass "$fam: accepts $c"
				else
					t_flunk "$fam: accepts $c" "exit $rc" "$(head -3 "$T_TMP/err")"
				fi
			fi
		done
		t_check "$fam has at least ten $verdict cases ($n)" test "$n" -ge 10
	done
done
t_done
