#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0305-scan-fastpath: the staged check reads the index and objects
# without libgit2 (hooks/git/index.c, hooks/git/objects.c) in plain repositories;
# in every git situation here its findings must equal libgit2's
# (SEAL_SCAN_NO_FAST=1), and what it cannot read falls back, never passes.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

AWS='aws_key = AKIAQWERTYUIOPASDFGH'
# same: name, then the scan arguments; compares both paths' JSON (which
# must parse, when a scan that failed did not leave it empty)
same() {
	local name=$1 a b ra rb; shift
	"$SEAL" scan "$@" --format json >"$T_TMP/fast" 2>"$T_TMP/fast.err"; ra=$?
	SEAL_SCAN_NO_FAST=1 "$SEAL" scan "$@" --format json >"$T_TMP/slow" \
		2>"$T_TMP/slow.err"; rb=$?
	[ -s "$T_TMP/fast" ] && t_json "$name: the report is valid" "$T_TMP/fast"
	if [ "$ra" = "$rb" ] && cmp -s "$T_TMP/fast" "$T_TMP/slow"; then
		t_pass "$name (exit $ra)"
	else
		t_flunk "$name" "fast exit $ra, libgit2 exit $rb" \
			"$(diff "$T_TMP/slow" "$T_TMP/fast" | head -20)"
	fi
}
found() { grep -q "$1" "$T_TMP/fast"; }

git init -q r && cd r || exit 2
mkdir -p a/b c
echo "$AWS" >a/b/first.txt; echo clean >c/x.txt; echo clean >top.txt
git add -A
same "first commit (unborn HEAD)" --staged
t_check "... finds the staged secret" found a/b/first.txt
git commit -qn -m one
same "nothing staged" --staged
t_check "... finds nothing" sh -c "! grep -q AKIA '$T_TMP/fast'"

for i in $(seq 1 30); do mkdir -p "d$i"; echo "v$i" >"d$i/f.txt"; done
git add -A && git commit -qn -m many
echo "$AWS" >d7/f.txt; echo "$AWS" >d7/new.txt; git add d7
same "a change deep in one directory (cache-tree skips the rest)" --staged
t_check "... finds both files" sh -c "grep -q d7/f.txt '$T_TMP/fast' && grep -q d7/new.txt '$T_TMP/fast'"
git commit -qn -m d7

# packed objects: HEAD's commit and trees come from a pack
git gc -q
echo "$AWS" >>d9/f.txt; git add d9/f.txt
same "after git gc (packed trees and commit)" --staged
t_check "... finds d9/f.txt" found d9/f.txt
same "--all after gc (packed blobs)" --all
git reset -q
# --all reads a work-tree file only if it is what the index holds
sleep 1; echo "$AWS" >>d3/f.txt
same "--all with a changed, unstaged file" --all
t_check "... judges the indexed content, not the edit" \
	sh -c "! grep -q d3/f.txt '$T_TMP/fast'"
git checkout -q d3/f.txt

# a staged blob that is already in a pack (revert to an old version)
git rm -q --cached d7/new.txt
git commit -qn -m drop && git gc -q
git checkout -q HEAD~1 -- d7/new.txt 2>/dev/null || git checkout -q HEAD^ -- d7/new.txt
same "a staged blob read from a pack" --staged
t_check "... finds d7/new.txt" found d7/new.txt
git reset -q

# the staged check reads a staged file's work-tree copy instead of its
# blob only while the copy's stat data is the index entry's: an edit made
# after `git add` never stands in for what the commit holds
echo "$AWS" >>d4/f.txt; git add d4/f.txt
echo "clean again" >d4/f.txt
same "staged secret, clean edit after git add (other size)" --staged
t_check "... finds the staged d4/f.txt" found d4/f.txt
git add d4/f.txt
cp d4/f.txt "$T_TMP/d4"; echo "$AWS" >>d4/f.txt; git add d4/f.txt
# same size, same inode, written in place right after the index
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); f=open(sys.argv[2],"r+b"); f.write(b"x"*len(d)); f.close()' d4/f.txt d4/f.txt
same "staged secret, same-size edit in place after git add" --staged
t_check "... finds the staged d4/f.txt" found d4/f.txt
git reset -q d4/f.txt; cp "$T_TMP/d4" d4/f.txt
echo "clean" >>d5/f.txt; git add d5/f.txt; echo "$AWS" >>d5/f.txt
same "staged clean, secret added after git add" --staged
t_check "... judges the staged content" sh -c "! grep -q d5/f.txt '$T_TMP/fast'"
git reset -q d5/f.txt; git checkout -q d5/f.txt d4/f.txt

# git commit -a and git commit PATH: a temporary GIT_INDEX_FILE
echo "$AWS" >>c/x.txt
cp .git/index "$T_TMP/tmpindex"
GIT_INDEX_FILE="$T_TMP/tmpindex" git add c/x.txt
GIT_INDEX_FILE="$T_TMP/tmpindex" same "GIT_INDEX_FILE names the index" --staged
t_check "... finds c/x.txt" found c/x.txt
same "the default index does not have it" --staged
t_check "... nor does the fast path" sh -c "! grep -q c/x.txt '$T_TMP/fast'"
git checkout -q c/x.txt

# index format versions 2, 3 (extended flags) and 4 (path compression)
echo "$AWS" >>top.txt; git add top.txt
for v in 2 3 4; do
	git update-index --index-version $v
	same "index version $v" --staged
done
git update-index --skip-worktree d1/f.txt
same "extended flags (skip-worktree)" --staged
git update-index --no-skip-worktree d1/f.txt
git update-index --index-version 2

# what the fast reader leaves to libgit2, with the same answer
echo new >ita.txt && git add -N ita.txt
same "an intent-to-add entry (libgit2 decides)" --staged
git rm -q --cached ita.txt; rm ita.txt
git update-index --split-index
same "a split index (libgit2 decides)" --staged
git update-index --no-split-index
git reset -q

# a linked worktree: .git is a file, refs and objects in the common dir
git worktree add -q ../wt 2>/dev/null
cd ../wt || exit 2
echo "$AWS" >wt.txt && git add wt.txt
same "a linked worktree (.git is a file)" --staged
t_check "... finds wt.txt" found wt.txt
cd ../r || exit 2

# a broken index: the fast reader refuses it, libgit2 reports it
git add top.txt
printf 'XXXX' | dd of=.git/index bs=1 seek=100 conv=notrunc 2>/dev/null
t_exit 2 "a corrupt index: the hook refuses (exit 2)" "$SEAL" hook pre-commit
t_check "... saying the index is the trouble" grep -q "index" "$T_TMP/err"
t_done
