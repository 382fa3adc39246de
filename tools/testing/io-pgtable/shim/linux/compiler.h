/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: compiler helpers, READ_ONCE/WRITE_ONCE. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <linux/types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __init
#define __initdata
#define __exit
#define __iomem
#define __rcu
#define __user
#define __force
#define __percpu
#define fallthrough		__attribute__((__fallthrough__))

#define barrier()		__asm__ __volatile__("" : : : "memory")

#ifdef __SANITIZE_THREAD__
/*
 * Marked accesses are relaxed atomics in the kernel memory model; ThreadSanitizer
 * must see them as such, or every READ_ONCE() racing with a WRITE_ONCE() is
 * reported.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)						\
	do {								\
		__atomic_store_n(&(x), (val), __ATOMIC_RELAXED);	\
	} while (0)
#else
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)						\
	do {								\
		*(volatile __typeof__(x) *)&(x) = (val);		\
	} while (0)
#endif

#define __same_type(a, b)	__builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#ifndef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#endif

#ifndef offsetof
#define offsetof(TYPE, MEMBER)	__builtin_offsetof(TYPE, MEMBER)
#endif
#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define typeof_member(T, m)	__typeof__(((T *)0)->m)

#endif /* _SHIM_LINUX_COMPILER_H */
