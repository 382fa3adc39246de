/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: min/max/clamp/swap. */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#define min(x, y) ({							\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	__x < __y ? __x : __y; })
#define max(x, y) ({							\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	__x > __y ? __x : __y; })
#define min3(x, y, z)		min(min(x, y), z)
#define max3(x, y, z)		max(max(x, y), z)
#define min_t(type, x, y) ({						\
	type __x = (x);							\
	type __y = (y);							\
	__x < __y ? __x : __y; })
#define max_t(type, x, y) ({						\
	type __x = (x);							\
	type __y = (y);							\
	__x > __y ? __x : __y; })
#define umin(x, y)		min_t(unsigned long long, x, y)
#define umax(x, y)		max_t(unsigned long long, x, y)
#define clamp(val, lo, hi)	min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define swap(a, b)							\
	do {								\
		__typeof__(a) *__pa = &(a);				\
		__typeof__(a) *__pb = &(b);				\
		__typeof__(a) __tmp = *__pa;				\
									\
		*__pa = *__pb;						\
		*__pb = __tmp;						\
	} while (0)

#endif /* _SHIM_LINUX_MINMAX_H */
