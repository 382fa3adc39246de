/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: basic kernel types for the io-pgtable harness. */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
/* sparse's annotation, nothing to the compiler (as in the kernel) */
#define __bitwise

typedef unsigned int __bitwise gfp_t;

struct list_head {
	struct list_head *next, *prev;
};

#endif /* _SHIM_LINUX_TYPES_H */
