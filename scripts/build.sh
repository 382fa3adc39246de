#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a variant's Image (ccache in out/ccache) and the guest initramfs.
# usage: build.sh VARIANT [FRAGMENT...]   env: KOBJ (another objdir, for
#        a kernel with more fragments than the variant's own),
#        WARNINGS=list (a checker's kernel: warnings listed, not fatal)
. "$(dirname "$0")/common.sh"

v=${1:?variant}
shift
"$TOP/scripts/config.sh" "$v" "$@"	# which checks the variant
obj=$(variant_obj "$v")
log "$v: building Image"
t=$(date +%s)
kmake "$v" -s Image >"$obj/build.log" 2>&1 ||
	{ tail -40 "$obj/build.log"; die "$v: kernel build failed"; }
if grep -q 'warning:' "$obj/build.log"; then
	grep 'warning:' "$obj/build.log" | sort -u >&2
	[ "${WARNINGS:-}" = list ] || die "$v: kernel build has warnings"
fi
log "$v: Image built in $(($(date +%s) - t)) s ($(stat -c %s "$obj/arch/arm64/boot/Image") bytes)"
"$TOP/scripts/guest.sh"
