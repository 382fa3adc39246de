#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the static test init and the DMA map benchmark tool, and pack them
# into out/guest/initramfs.cpio.
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
# The kernel's DMA map benchmark tool (testinit.dmabench=); its header is
# the kernel's, outside the uapi: the tool's own Makefile points into
# include/ too, here only that one header is taken.
bench=$BASE/tools/testing/selftests/dma/dma_map_benchmark.c
if [ ! -f "$g/dmabench" ] || [ "$bench" -nt "$g/dmabench" ]; then
	mkdir -p "$g/inc/linux"
	cp "$BASE/include/linux/map_benchmark.h" "$g/inc/linux/"
	${CROSS_COMPILE}gcc -static -O2 -I"$g/inc" -o "$g/dmabench" "$bench"
fi
cat >"$g/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $g/init 0755 0 0
file /dmabench $g/dmabench 0755 0 0
LIST
"$g/gen_init_cpio" "$g/initramfs.list" >"$g/initramfs.cpio.new"
mv "$g/initramfs.cpio.new" "$g/initramfs.cpio"
