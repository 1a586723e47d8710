#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0300-scan-leaks: the labelled corpus vectors/leaks, each case staged
# alone in a fresh repository at its "stage as" path (with context/sops.yaml
# as .sops.yaml for recipient cases) and judged by the real hook path
# (`seal hook pre-commit`): every block case refused, no allow case.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_vectors leaks
t_need_prog git

L=$SEAL_VECTORS/leaks
blocked=0 nblock=0 flagged=0 nallow=0
while IFS=$'\t' read -r file verdict kind tier stage rest; do
	[ "$file" = file ] && continue
	r=$T_TMP/r-$file
	git init -q "$r"
	mkdir -p "$r/$(dirname "$stage")"
	cp "$L/$file" "$r/$stage"
	case ",$tier," in *,recipients,*) cp "$L/context/sops.yaml" "$r/.sops.yaml" ;; esac
	git -C "$r" add -A
	(cd "$r" && "$SEAL" hook pre-commit) >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ "$verdict" = block ]; then
		nblock=$((nblock + 1))
		if [ $rc -eq 1 ]; then
			blocked=$((blocked + 1))
			t_pass "block $file ($tier)"
		else
			t_flunk "block $file ($tier)" "exit $rc" "$(head -3 "$T_TMP/err")"
		fi
		# the report never shows the value: no line of the staged file
		# longer than 12 characters appears whole on stderr
		leak=$(awk 'length($0) > 12' "$L/$file" | grep -v -e '^ *#' -e '^-----' \
			-e 'kind:' -e 'apiVersion' -e 'metadata' -e 'name:' -e '^{' -e '^}' |
			while IFS= read -r l; do
				l=${l#"${l%%[![:space:]]*}"}
				[ ${#l} -gt 12 ] && grep -qF -- "$l" "$T_TMP/err" && echo "$l"
			done | head -1)
		if [ -z "$leak" ]; then t_pass "redacted $file"
		else t_flunk "redacted $file" "stderr repeats a staged line"; fi
	else
		nallow=$((nallow + 1))
		if [ $rc -eq 0 ]; then
			t_pass "allow $file ($tier)"
		else
			flagged=$((flagged + 1))
			t_flunk "allow $file ($tier)" "exit $rc" "$(head -3 "$T_TMP/err")"
		fi
	fi
done <"$L/manifest.tsv"
echo "# leaks: $blocked/$nblock blocked, $flagged/$nallow allow cases flagged"
t_check "every block case was seen" test "$nblock" -gt 0
t_check "every allow case was seen" test "$nallow" -gt 0
t_done
