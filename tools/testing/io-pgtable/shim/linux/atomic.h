/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: atomics, cmpxchg and xchg on GCC builtins. */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		__atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i)	__atomic_store_n(&(v)->counter, i, __ATOMIC_RELAXED)
#define atomic_inc(v)		((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec(v)		((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_add(i, v)	((void)__atomic_fetch_add(&(v)->counter, i, __ATOMIC_SEQ_CST))
#define atomic_sub(i, v)	((void)__atomic_fetch_sub(&(v)->counter, i, __ATOMIC_SEQ_CST))
#define atomic_inc_return(v)	__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_return(v)	__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_and_test(v)	(atomic_dec_return(v) == 0)
#define atomic64_read(v)	atomic_read(v)
#define atomic64_set(v, i)	atomic_set(v, i)
#define atomic64_inc(v)		atomic_inc(v)
#define atomic64_add(i, v)	atomic_add(i, v)

/*
 * ThreadSanitizer ignores stand-alone fences, so "smp_wmb(); cmpxchg_relaxed()"
 * would be reported as a race on everything the fence orders. In the TSan build
 * relaxed read-modify-writes are therefore acq_rel: TSan then checks for plain
 * data races; the ordering itself is the model's business (publication order).
 */
#ifdef __SANITIZE_THREAD__
#define __SHIM_RMW_RELAXED	__ATOMIC_ACQ_REL
#else
#define __SHIM_RMW_RELAXED	__ATOMIC_RELAXED
#endif

#define __shim_cmpxchg(ptr, old, new, mo) ({				\
	__typeof__(ptr) __shim_ptr = (ptr);				\
	__typeof__(*__shim_ptr) __old = (old);				\
	__atomic_compare_exchange_n(__shim_ptr, &__old, new, false,	\
				    mo, __ATOMIC_RELAXED);		\
	__old; })

#define cmpxchg(ptr, o, n)		__shim_cmpxchg(ptr, o, n, __ATOMIC_SEQ_CST)
#define cmpxchg_relaxed(ptr, o, n)	__shim_cmpxchg(ptr, o, n, __SHIM_RMW_RELAXED)
#define cmpxchg_acquire(ptr, o, n)	__shim_cmpxchg(ptr, o, n, __ATOMIC_ACQUIRE)
#define cmpxchg_release(ptr, o, n)	__shim_cmpxchg(ptr, o, n, __ATOMIC_RELEASE)
#define cmpxchg64(ptr, o, n)		cmpxchg(ptr, o, n)
#define cmpxchg64_relaxed(ptr, o, n)	cmpxchg_relaxed(ptr, o, n)
#define cmpxchg64_acquire(ptr, o, n)	cmpxchg_acquire(ptr, o, n)
#define cmpxchg64_release(ptr, o, n)	cmpxchg_release(ptr, o, n)

#define __shim_try_cmpxchg(ptr, oldp, new, mo)				\
	__atomic_compare_exchange_n(ptr, oldp, new, false, mo, __ATOMIC_RELAXED)
#define try_cmpxchg(ptr, op, n)		__shim_try_cmpxchg(ptr, op, n, __ATOMIC_SEQ_CST)
#define try_cmpxchg_relaxed(ptr, op, n)	__shim_try_cmpxchg(ptr, op, n, __SHIM_RMW_RELAXED)
#define try_cmpxchg64(ptr, op, n)	try_cmpxchg(ptr, op, n)
#define try_cmpxchg64_relaxed(ptr, op, n) try_cmpxchg_relaxed(ptr, op, n)
#define try_cmpxchg64_release(ptr, op, n) __shim_try_cmpxchg(ptr, op, n, __ATOMIC_RELEASE)

#define xchg(ptr, v)		__atomic_exchange_n(ptr, v, __ATOMIC_SEQ_CST)
#define xchg_relaxed(ptr, v)	__atomic_exchange_n(ptr, v, __SHIM_RMW_RELAXED)

#endif /* _SHIM_LINUX_ATOMIC_H */
