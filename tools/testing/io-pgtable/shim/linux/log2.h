/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: ilog2() and power-of-two helpers. */
#ifndef _SHIM_LINUX_LOG2_H
#define _SHIM_LINUX_LOG2_H

#include <linux/types.h>

static inline int shim_ilog2_u64(u64 n)
{
	return 63 - __builtin_clzll(n);
}

#define ilog2(n)		shim_ilog2_u64((u64)(n))

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1UL : 1UL << (shim_ilog2_u64((u64)n - 1) + 1);
}

#define rounddown_pow_of_two(n)	(1UL << ilog2(n))

static inline int order_base_2(unsigned long n)
{
	return n > 1 ? ilog2(roundup_pow_of_two(n)) : 0;
}

#endif /* _SHIM_LINUX_LOG2_H */
