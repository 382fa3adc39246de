#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write a patches/*.patch from an edited copy of base files.
# usage: mkpatch.sh OUT.patch DESCRIPTION-FILE EDITED-ROOT FILE...
#   EDITED-ROOT holds the edited FILEs at their kernel paths; the originals
#   come from out/base. The description becomes the text above the diff.
. "$(dirname "$0")/common.sh"

outp=$1 desc=$2 root=$3
shift 3
{
	cat "$desc"
	printf '\n---\n'
	for f in "$@"; do
		{ git diff --no-index --no-prefix "$BASE/$f" "$root/$f" || true; } |
			sed -e "s|^diff --git .*|diff --git a/$f b/$f|" \
			    -e "s|^--- .*|--- a/$f|" -e "s|^+++ .*|+++ b/$f|" \
			    -e '/^index /d'
	done
} >"$outp"
