#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the static test init and pack it into out/guest/initramfs.cpio.
. "$(dirname "$0")/common.sh"

g=$OUT/guest
mkdir -p "$g"
src=$TOP/scripts/guest/testinit.c
if [ ! -x "$g/gen_init_cpio" ] || [ "$BASE/usr/gen_init_cpio.c" -nt "$g/gen_init_cpio" ]; then
	gcc -O2 -o "$g/gen_init_cpio" "$BASE/usr/gen_init_cpio.c"
fi
if [ ! -f "$g/init" ] || [ "$src" -nt "$g/init" ]; then
	log "guest: building test init"
	${CROSS_COMPILE}gcc -static -O2 -Wall -Wextra -Werror -pthread \
		-o "$g/init" "$src"
fi
cat >"$g/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $g/init 0755 0 0
LIST
"$g/gen_init_cpio" "$g/initramfs.list" >"$g/initramfs.cpio.new"
mv "$g/initramfs.cpio.new" "$g/initramfs.cpio"
