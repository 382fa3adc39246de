#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The default demonstration: build one variant and boot scenarios A, B, C,
# printing a readable verdict for each.
# usage: demo.sh [VARIANT]
. "$(dirname "$0")/common.sh"

v=${1:-$(default_variant)}
check_variant "$v"
"$TOP/scripts/setup.sh"
"$TOP/scripts/build.sh" "$v"
for s in A B C; do
	"$TOP/scripts/scenario.sh" "$v" "$s" || true
done
echo
echo "Scenario verdicts for '$v':"
for s in A B C; do
	printf '  %s: %s\n     %s\n' "$s" "$(head -1 "$OUT/run/$v-$s/verdict")" \
		"$(tail -1 "$OUT/run/$v-$s/verdict")"
done
