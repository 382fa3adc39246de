/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: size helpers. */
#ifndef _SHIM_LINUX_OVERFLOW_H
#define _SHIM_LINUX_OVERFLOW_H

#include <linux/types.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

static inline size_t shim_size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? ~(size_t)0 : r;
}

static inline size_t shim_size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? ~(size_t)0 : r;
}

#define array_size(a, b)	shim_size_mul(a, b)

#endif /* _SHIM_LINUX_OVERFLOW_H */
