/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: compiler helpers, READ_ONCE/WRITE_ONCE. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <assert.h>
#include <linux/types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/*
 * The attribute macros (__always_inline, noinline, __maybe_unused,
 * __must_check, __noreturn, __printf() and the rest) are the kernel's own:
 * the Makefile copies include/linux/compiler_attributes.h from the base tree.
 * glibc's sys/cdefs.h (already included, through <assert.h>) defines two of
 * them its own way.
 */
#undef __always_inline
#undef __attribute_const__
#include <linux/compiler_attributes.h>

#define __init
#define __initdata
#define __exit
#define __iomem
#define __rcu
#define __user
#define __force
#define __percpu

#define barrier()		({ __asm__ __volatile__("" : : : "memory"); })

/*
 * Marked accesses are relaxed atomics in the kernel memory model: a single,
 * untorn access the compiler may not merge, repeat or drop (the kernel's
 * asm-generic/rwonce.h gets that from a volatile access). ThreadSanitizer must
 * see them as atomics, or every READ_ONCE() racing with a WRITE_ONCE() is
 * reported.
 */
#ifdef SHIM_NOTE_READS
/*
 * In the file under test: the model may count reads of table memory, and
 * in threaded runs yield the CPU after one, between a read and the store
 * that depends on it.
 */
void shim_note_read(const void *p);
#define READ_ONCE(x)		({ typeof(x) *__rp = &(x);			\
				   typeof(x) __rv = __atomic_load_n(__rp,	\
							__ATOMIC_RELAXED);	\
				   shim_note_read(__rp);			\
				   __rv; })
#else
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

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
