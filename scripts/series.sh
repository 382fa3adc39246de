#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Produce the upstream patch series in out/series/: a git tree of the exact
# base, one commit per series/NN-*.msg (each lists what it applies with
# "Apply:" lines: a patches/*.patch diff or a file of our overlay), then
# git format-patch with a cover letter, get_maintainer.pl, checkpatch
# --strict on every patch, a build after every patch (bisectability) and a
# git am of the whole series on a fresh copy of the base.
# usage: series.sh [--no-build]
. "$(dirname "$0")/common.sh"

build=1
[ "${1:-}" = --no-build ] && build=0
S=$OUT/series
tree=$S/linux
pdir=$S/patches
author="Your Name <you@example.org>"
export GIT_AUTHOR_NAME="Your Name" GIT_AUTHOR_EMAIL="you@example.org"
export GIT_COMMITTER_NAME="Your Name" GIT_COMMITTER_EMAIL="you@example.org"
export GIT_AUTHOR_DATE="2026-11-23T12:00:00Z" GIT_COMMITTER_DATE="2026-11-23T12:00:00Z"

"$TOP/scripts/setup.sh"
base_ver=$(sed -n 's/^kernel //p' "$OUT/base-version")

if [ ! -d "$tree/.git" ]; then
	log "series: making a git tree of the base ($base_ver)"
	rm -rf "$tree"
	mkdir -p "$S"
	mkdir -p "$tree"
	cp -a "$BASE/." "$tree/"	# a copy: git rewrites files in place
	chmod -R u+w "$tree"
	rm -f "$tree/.extracted"
	git -C "$tree" init -q
	git -C "$tree" add -A -f
	git -C "$tree" commit -q -m "Linux $base_ver (Debian linux-source-6.12 $(sed -n 's/^package //p' "$OUT/base-version"))"
	git -C "$tree" tag base
fi
git -C "$tree" checkout -q -f base
git -C "$tree" clean -qfdx
git -C "$tree" branch -q -f series base
git -C "$tree" checkout -q series

! grep -q '@[A-Z_]*@' "$TOP/series/cover-letter.txt" ||
	die "series: cover-letter.txt has an unfilled @PLACEHOLDER@"
for msg in "$TOP"/series/[0-9]*.msg; do
	grep -q '@[A-Z_]*@' "$msg" && die "series: $(basename "$msg") has an unfilled @PLACEHOLDER@"
	subject=$(sed -n 's/^Subject: //p' "$msg")
	while read -r what; do
		case $what in
		patches/*) git -C "$tree" apply --whitespace=error-all "$TOP/$what" ||
				die "series: $what does not apply" ;;
		*) mkdir -p "$tree/$(dirname "$what")"
		   cp -r "$TOP/$what" "$tree/$(dirname "$what")/" ;;
		esac
	done < <(sed -n 's/^Apply: //p' "$msg")
	git -C "$tree" add -A -f
	{
		echo "$subject"
		echo
		grep -v -e '^Subject: ' -e '^Apply: ' "$msg" | sed '/./,$!d' 
		echo
		echo "Signed-off-by: $author"
	} | git -C "$tree" commit -q -F -
	log "series: committed: $subject"
done

rm -rf "$pdir"
git -C "$tree" format-patch -q --cover-letter --base=base -o "$pdir" base..series
cover=$(ls "$pdir"/0000-*.patch)
maint=$(cd "$tree" && ./scripts/get_maintainer.pl --no-rolestats "$pdir"/0*.patch 2>/dev/null | grep -v '^0000' || true)
python3 - "$cover" "$TOP/series/cover-letter.txt" <<PY
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = text.partition("\n\n")
maint = """$maint"""
body = body.rstrip() + "\n\nget_maintainer.pl for the series:\n" + \
    "\n".join("  " + l for l in maint.splitlines()) + "\n"
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject.replace("Subject: ", ""))
s = s.replace("*** BLURB HERE ***", body)
open(cover, "w").write(s)
PY
log "series: $(ls "$pdir" | wc -l) files in $pdir"

# checkpatch asks whether MAINTAINERS needs updating whenever a patch adds a
# file; answer it for real: every added file must have a maintainer in the
# tree as it is after the series, and then that question is moot.
covered() {	# covered PATCH
	local f
	for f in $(sed -n 's|^+++ b/||p' "$1"); do
		grep -q "^--- /dev/null" "$1" || continue
		(cd "$tree" && ./scripts/get_maintainer.pl --no-git --no-rolestats -f "$f" 2>/dev/null) |
			grep -q '(maintainer:\|<' || return 1
	done
}
fails=0
for p in "$pdir"/0*.patch; do
	case $p in */0000-*) continue ;; esac
	ignore=""
	covered "$p" && ignore="--ignore FILE_PATH_CHANGES"
	if ! (cd "$tree" && ./scripts/checkpatch.pl --strict --terse $ignore "$p") \
		>"$p.checkpatch" 2>&1; then
		log "series: checkpatch findings in $(basename "$p"):"
		cat "$p.checkpatch" >&2
		fails=$((fails + 1))
	fi
done
log "series: checkpatch --strict: $fails patches with findings"

# git am on a fresh copy of the base.
am=$S/am
rm -rf "$am"
git -C "$tree" worktree prune
git -C "$tree" worktree add -q --detach "$am" base
(cd "$am" && git am -q $(ls "$pdir"/0*.patch | grep -v '/0000-')) ||
	{ git -C "$am" am --abort 2>/dev/null; die "series: git am failed"; }
[ -z "$(git -C "$am" diff series --stat)" ] || die "series: git am result differs"
log "series: git am on the base: ok ($(git -C "$am" rev-list --count base..HEAD) patches)"
git -C "$tree" worktree remove --force "$am"

if [ $build = 1 ]; then
	obj=$S/obj
	for c in $(git -C "$tree" rev-list --reverse base..series); do
		git -C "$tree" checkout -q "$c"
		kconfigure --declared series "$tree" "$obj" "$TOP/config/qemu-smmuv3.config" \
			"$TOP/config/tests.config" "$TOP/config/ours.config"
		if ! kmake_in "$tree" "$obj" -s W=1 Image >"$obj/build-$c.log" 2>&1; then
			tail -20 "$obj/build-$c.log"
			die "series: build fails after $(git -C "$tree" log -1 --format=%s "$c")"
		fi
		grep 'warning:' "$obj/build-$c.log" | grep -E 'io-pgtable|edu-iommu' &&
			die "series: W=1 warnings after $(git -C "$tree" log -1 --format=%s "$c")"
		log "series: builds after: $(git -C "$tree" log -1 --format=%s "$c")"
	done
	git -C "$tree" checkout -q series
	"$TOP/scripts/compile-test.sh" "$tree"
fi
[ $fails = 0 ] || die "series: checkpatch findings"
log "series: done: $pdir"
