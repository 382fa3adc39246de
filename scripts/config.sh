#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure a variant's object tree: allnoconfig + our fragment(s), then
# check that every line of the fragments really holds in .config (a missing
# dependency silently drops an option; we fail loudly instead). A later
# fragment's line for an option replaces an earlier one's.
# usage: config.sh VARIANT [FRAGMENT...]
# Fragments: config/qemu-smmuv3.config, config/tests.config (test drivers,
# both variants), then config/VARIANT.config if any.
. "$(dirname "$0")/common.sh"

v=${1:?variant}
shift
check_variant "$v"
frags=("$TOP/config/qemu-smmuv3.config" "$TOP/config/tests.config")
# Options only our tree has (our selftest suite, its debug knobs).
[ -f "$TOP/config/$v.config" ] && frags+=("$TOP/config/$v.config")
frags+=("$@")
obj=$(variant_obj "$v")
kconfig_current "$obj" "${frags[@]}" && exit 0
log "$v: configuring (allnoconfig + $(basename -a "${frags[@]}" | tr '\n' ' '))"
kconfigure "$v" "$(variant_src "$v")" "$obj" "${frags[@]}"
log "$v: config ok ($(grep -c '=y' "$obj/.config") options =y)"
