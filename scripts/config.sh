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
mkdir -p "$obj"
stamp=$obj/.fragments.sha
want=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$obj/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	exit 0
fi

log "$v: configuring (allnoconfig + $(basename -a "${frags[@]}" | tr '\n' ' '))"
kmake "$v" -s allnoconfig
"$(variant_src "$v")"/scripts/kconfig/merge_config.sh -m -O "$obj" \
	"$obj/.config" "${frags[@]}" >"$obj/merge.log" 2>&1 ||
	{ cat "$obj/merge.log"; die "merge_config failed"; }
kmake "$v" -s olddefconfig

# The line each option gets from the last fragment that sets it: a later
# fragment overrides an earlier one, as in merge_config.sh.
wanted() {
	cat "${frags[@]}" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { o = $2 }
		o != "" { if (!(o in want)) order[n++] = o; want[o] = $0; o = "" }
		END { for (i = 0; i < n; i++) print want[order[i]] }'
}

bad=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$obj/.config" || {
			log "$v: wanted '$line', .config has '$(grep "^${line%%=*}=" "$obj/.config" || echo unset)'"
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$obj/.config" || {
			log "$v: wanted $opt unset, .config has it set"
			bad=1
		} ;;
	esac
done < <(wanted)
[ $bad = 0 ] || { rm -f "$stamp"; die "$v: config check failed"; }
echo "$want" >"$stamp"
log "$v: config ok ($(grep -c '=y' "$obj/.config") options =y)"
