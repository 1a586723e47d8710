#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0255-input-limits.sh - limits an attacker cannot walk around: YAML
# aliases count toward depth and size as if written out (a 20 KB chain of
# aliases nesting 1,000 levels, a 75 KB alias bomb of 180 MB), with one
# line naming the file and line; a JSON object of 100,000 keys is checked
# for duplicates in well under a second (a hash-free sort, not n^2).
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
R=age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq
one_line() { [ "$(wc -l <"$T_TMP/err")" -eq 1 ]; }

{
	echo 'a0: &a0 x'
	for k in $(seq 1 1000); do echo "a$k: &a$k [*a$((k - 1))]"; done
} >chain.yaml
t_exit 2 "a chain of aliases 1,000 levels deep is refused ($(wc -c <chain.yaml) bytes)" \
	timeout 20 "$SEAL" encrypt -r "$R" chain.yaml
t_check "... at the first alias past 64 levels, naming file and line" \
	grep -q "chain.yaml: line 65: alias '\*a63' nests deeper than 64 levels" "$T_TMP/err"
t_check "... in one line" one_line
t_check "... with nothing written" test ! -s "$T_TMP/out"

{
	echo 'a0: &a0 x'
	for k in $(seq 1 40); do echo "a$k: &a$k [*a$((k - 1))]"; done
} >ok.yaml
t_ok "a chain within the limit is fine" "$SEAL" encrypt -r "$R" ok.yaml

{
	printf 's: &s "%s"\nl:\n' "$(head -c 60000 /dev/zero | tr '\0' x)"
	for k in $(seq 1 3000); do echo '- *s'; done
} >bomb.yaml
t_exit 2 "an alias bomb (75 KB expanding to 180 MB) is refused" \
	timeout 20 "$SEAL" encrypt -r "$R" bomb.yaml
t_check "... naming file, line and the limit" \
	grep -q "bomb.yaml: line [0-9]*: aliases expand to more than 67108864 bytes" "$T_TMP/err"

python3 -c 'print("{" + ",".join("\"k%d\":\"v\"" % i for i in range(100000)) + "}")' >keys.json
start=$(date +%s%N)
t_ok "a JSON object of 100,000 keys" timeout 10 "$SEAL" encrypt -r "$R" keys.json
ms=$((($(date +%s%N) - start) / 1000000))
t_check "... takes well under 10 s (${ms} ms)" test "$ms" -lt 10000
python3 -c 'print("{" + ",".join("\"k%d\":\"v\"" % i for i in range(100000)) + ",\n\"k77\":1}")' >dup.json
t_exit 2 "... one key repeated at the end is refused" timeout 10 "$SEAL" encrypt -r "$R" dup.json
t_check "... naming the file, the line and the key" \
	grep -q "dup.json: line 2: duplicate key 'k77'" "$T_TMP/err"
printf '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,\n"c":0,\n"a":0}\n' >dup2.json
t_exit 2 "in a large object the first repeated key is the one named" \
	"$SEAL" encrypt -r "$R" dup2.json
t_check "... line 2, 'c'" grep -q "dup2.json: line 2: duplicate key 'c'" "$T_TMP/err"
t_done
