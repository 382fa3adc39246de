/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: barriers, as C11 fences. ThreadSanitizer does not model
 * stand-alone fences; see linux/atomic.h for what the TSan build does instead.
 */
#ifndef _SHIM_ASM_BARRIER_H
#define _SHIM_ASM_BARRIER_H

#include <linux/compiler.h>

/*
 * The barrier definitions themselves, not uses: each is the C11 fence (or
 * acquire load, release store) of the kernel barrier's strength; what a
 * barrier pairs with is documented where it is used.
 */
#define mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)	/* definition */
#define rmb()			__atomic_thread_fence(__ATOMIC_ACQUIRE)	/* definition */
#define wmb()			__atomic_thread_fence(__ATOMIC_RELEASE)	/* definition */
#define dma_mb()		mb()	/* definition */
#define dma_rmb()		rmb()	/* definition */
#define dma_wmb()		wmb()	/* definition */
#define smp_mb()		mb()	/* definition */
#define smp_rmb()		rmb()	/* definition */
#define smp_wmb()		wmb()	/* definition */
#define smp_mb__before_atomic()	mb()	/* definition */
#define smp_mb__after_atomic()	mb()	/* definition */

#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)	/* definition */
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)	/* definition */

void __noreturn shim_bug(const char *file, int line, const char *cond);

/*
 * Called while a cond_load's condition is false. Single-threaded, that is a
 * bug (the condition can never change); with the harness's threads running
 * (model_set_threaded()) it yields and gives up, as a model failure, after a
 * few seconds.
 */
void shim_cond_wait(const char *file, int line, const char *cond,
		    unsigned long spins);

#define __shim_cond_load(ptr, cond_expr, mo) ({				\
	__typeof__(ptr) __PTR = (ptr);					\
	__typeof__(*__PTR) VAL;						\
	unsigned long __spins = 0;					\
	for (;;) {							\
		VAL = __atomic_load_n(__PTR, mo);			\
		if (cond_expr)						\
			break;						\
		shim_cond_wait(__FILE__, __LINE__, #cond_expr,		\
			       __spins++);				\
	}								\
	VAL; })
#define smp_cond_load_acquire(ptr, cond_expr)				\
	__shim_cond_load(ptr, cond_expr, __ATOMIC_ACQUIRE)
#define smp_cond_load_relaxed(ptr, cond_expr)				\
	__shim_cond_load(ptr, cond_expr, __ATOMIC_RELAXED)

#endif /* _SHIM_ASM_BARRIER_H */
