/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: basic kernel types for the io-pgtable harness. */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* as the kernel's asm-generic/int-ll64.h, on every architecture */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
/* sparse's annotation, nothing to the compiler (as in the kernel) */
#define __bitwise

typedef unsigned int __bitwise gfp_t;

struct list_head {
	struct list_head *next, *prev;
};

#endif /* _SHIM_LINUX_TYPES_H */
