#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build needs, extract the 6.12 base once, and lay our
# overlay and patches over per-variant source trees. Cheap to re-run: only
# files whose content changed are rewritten, so make rebuilds only them.
. "$(dirname "$0")/common.sh"

extract_base() {
	[ -f "$BASE/.extracted" ] && return 0
	log "extracting $TARBALL"
	rm -rf "$BASE" "$OUT/extract"
	mkdir -p "$OUT/extract"
	tar -C "$OUT/extract" -xJf "$TARBALL"
	mv "$OUT/extract"/linux-source-6.12 "$BASE"
	rmdir "$OUT/extract"
	chmod -R a-w "$BASE"	# hard-linked into the trees: keep it pristine
	{
		printf 'kernel %s\n' "$(make -s -C "$BASE" kernelversion)"
		printf 'package %s\n' "$(dpkg-query -W -f='${Version}' linux-source-6.12)"
		printf 'tarball-sha256 %s\n' "$(sha256sum "$TARBALL" | cut -d' ' -f1)"
	} >"$OUT/base-version"
	touch "$OUT/base-version"
	chmod u+w "$BASE" && touch "$BASE/.extracted" && chmod u-w "$BASE"
	log "base: $(tr '\n' ' ' <"$OUT/base-version")"
}

# Files a patch creates or changes, as paths relative to the tree.
patch_targets() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}

# Test-only pieces (patches/*-test-*.patch, drivers/misc/ test drivers)
# go into both variants, so the control differs from ours only in what we
# propose upstream.
in_variant() {	# in_variant VARIANT PATH
	[ "$1" = ours ] && return 0
	case $2 in
	*-test-*.patch|drivers/misc/*) return 0 ;;
	esac
	return 1
}

# Build in $1 the content our overlay wants for variant $2.
stage_variant() {
	local stage=$1 v=$2 p f
	rm -rf "$stage"
	mkdir -p "$stage"
	for p in "$TOP"/patches/*.patch; do
		[ -e "$p" ] || continue
		in_variant "$v" "$(basename "$p")" || continue
		for f in $(patch_targets "$p"); do
			[ -e "$stage/$f" ] && continue
			mkdir -p "$stage/$(dirname "$f")"
			if [ -e "$BASE/$f" ]; then
				cp "$BASE/$f" "$stage/$f"
				chmod u+w "$stage/$f"
			fi
		done
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
			die "patch $(basename "$p") does not apply"
	done
	(cd "$TOP" && for d in $OVERLAY_DIRS; do
		if [ -d "$d" ]; then find "$d" -type f; fi
	done) | while read -r f; do
		in_variant "$v" "$f" || continue
		mkdir -p "$stage/$(dirname "$f")"
		cp "$TOP/$f" "$stage/$f"
	done
}

sync_variant() {
	local v=$1 src stage manifest new f
	src=$(variant_src "$v")
	stage=$OUT/stage/$v
	manifest=$OUT/src/$v.manifest
	if [ ! -d "$src" ]; then
		log "creating $v tree (hard links to the base)"
		mkdir -p "$src"
		cp -al "$BASE/." "$src/"
		# Directories are copies; files stay links to the read-only base.
		find "$src" -type d -exec chmod u+w {} +
	fi
	stage_variant "$stage" "$v"
	new=$(cd "$stage" && find . -type f | sed 's|^\./||' | sort)
	# Restore files an earlier overlay changed and this one no longer does.
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" <(printf '%s\n' "$new" | sed '/^$/d') |
		while read -r f; do
			rm -f "$src/$f"
			[ -e "$BASE/$f" ] && ln "$BASE/$f" "$src/$f"
			log "$v: restored $f from base"
		done
	fi
	for f in $new; do
		cmp -s "$stage/$f" "$src/$f" && continue
		mkdir -p "$src/$(dirname "$f")"
		rm -f "$src/$f"	# break the hard link before writing
		cp "$stage/$f" "$src/$f"
		log "$v: updated $f"
	done
	printf '%s\n' "$new" | sed '/^$/d' >"$manifest"
}

mkdir -p "$OUT"
# shellcheck disable=SC2086
install_packages $PACKAGES
extract_base
for v in ${VARIANTS:-ours control}; do
	check_variant "$v"
	sync_variant "$v"
done
# QEMU >= 9.0 for the stage-2 rows of scripts/matrix.sh: the system's, or
# Debian's backports unpacked into out/qemu10 (never installed). Without
# it those rows are skipped with the reason; nothing else depends on it.
"$TOP/scripts/qemu10.sh"
