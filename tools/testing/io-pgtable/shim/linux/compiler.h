/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: compiler helpers, READ_ONCE/WRITE_ONCE. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <assert.h>
#include <linux/types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/*
 * The attribute macros of the kernel's compiler_attributes.h, defined as they
 * are there (glibc's sys/cdefs.h has its own __always_inline).
 */
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __maybe_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __noreturn		__attribute__((__noreturn__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __init
#define __initdata
#define __exit
#define __iomem
#define __rcu
#define __user
#define __force
#define __percpu
#define fallthrough		__attribute__((__fallthrough__))

#define barrier()		({ __asm__ __volatile__("" : : : "memory"); })

#ifdef __SANITIZE_THREAD__
/*
 * Marked accesses are relaxed atomics in the kernel memory model; ThreadSanitizer
 * must see them as such, or every READ_ONCE() racing with a WRITE_ONCE() is
 * reported.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#else
/* As the kernel's asm-generic/rwonce.h: a volatile access of the object. */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	((void)(*(volatile __typeof__(x) *)&(x) = (val)))
#endif

#define __same_type(a, b)	__builtin_types_compatible_p(__typeof__(a), __typeof__(b))
/* C11's static_assert() from <assert.h> */
#define BUILD_BUG_ON(cond)	static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG_ON_MSG(cond, msg) static_assert(!(cond), msg)

#ifndef offsetof
#define offsetof(TYPE, MEMBER)	__builtin_offsetof(TYPE, MEMBER)
#endif
#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

#endif /* _SHIM_LINUX_COMPILER_H */
