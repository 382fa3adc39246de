/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the parts of linux/kernel.h the io-pgtable code uses. */
#ifndef _SHIM_LINUX_KERNEL_H
#define _SHIM_LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <uapi/linux/const.h>

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
/* as the kernel's linux/math.h */
#define DIV_ROUND_UP		__KERNEL_DIV_ROUND_UP
#define DIV_ROUND_UP_ULL(n, d)	DIV_ROUND_UP((u64)(n), (u64)(d))
/* (x + mask) & ~mask, for a mask of the form 2^n - 1, naming mask once */
#define __ALIGN_MASK(x, mask)	((((x) - 1) | (mask)) + 1)
#define ALIGN(x, a)		__ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define PTR_ALIGN(p, a)		((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y)	((x) & ~((__typeof__(x))((y) - 1)))
#define roundup(x, y) ({							\
	__typeof__(y) __y = (y);					\
	(((x) + (__y - 1)) / __y) * __y; })
#define rounddown(x, y) ({						\
	__typeof__(x) __x = (x);					\
	__x - (__x % (y)); })
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define U8_MAX			((u8)~0U)
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define S64_MAX			((s64)(U64_MAX >> 1))

#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)
#define lockdep_assert_held(l)	((void)(l))

#include <errno.h>
#include <limits.h>
#include <stdint.h>

#endif /* _SHIM_LINUX_KERNEL_H */
