/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: kmalloc family; counted and fault-injectable by the model. */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc(size, gfp, gfp & __GFP_ZERO, false);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc(size, gfp, true, false);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return shim_kmalloc(bytes, gfp, gfp & __GFP_ZERO, false);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_node(size_t size, gfp_t gfp, int node)
{
	return kmalloc(size, gfp);
}

static inline void *kzalloc_node(size_t size, gfp_t gfp, int node)
{
	return kzalloc(size, gfp);
}

static inline void *kcalloc_node(size_t n, size_t size, gfp_t gfp, int node)
{
	return kcalloc(n, size, gfp);
}

static inline void kfree(const void *p)
{
	shim_kfree(p, false);
}

static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc(size, gfp, gfp & __GFP_ZERO, true);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return shim_kmalloc(size, gfp, true, true);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return shim_kmalloc(bytes, gfp, gfp & __GFP_ZERO, true);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void *kvmalloc_node(size_t size, gfp_t gfp, int node)
{
	return kvmalloc(size, gfp);
}

static inline void *kvzalloc_node(size_t size, gfp_t gfp, int node)
{
	return kvzalloc(size, gfp);
}

static inline void kvfree(const void *p)
{
	shim_kfree(p, true);
}

#endif /* _SHIM_LINUX_SLAB_H */
