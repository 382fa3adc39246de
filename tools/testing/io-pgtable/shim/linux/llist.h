/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: lock-less lists, as far as io-pgtable-arm.c uses them. */
#ifndef _SHIM_LINUX_LLIST_H
#define _SHIM_LINUX_LLIST_H

#include <linux/kernel.h>

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	struct llist_node *first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		node->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, node, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return !first;
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_ACQUIRE);
}

#define llist_entry(ptr, type, member)	container_of(ptr, type, member)

/* The entry of @node, or NULL: no pointer is made from NULL */
static inline void *shim_llist_entry(struct llist_node *node, size_t offset)
{
	return node ? (void *)node - offset : NULL;
}

/* @node is evaluated once, as in the kernel */
#define llist_for_each_entry_safe(pos, n, node, member)			\
	for (pos = shim_llist_entry(node, offsetof(typeof(*pos), member));	\
	     pos && (n = shim_llist_entry(pos->member.next,			\
					  offsetof(typeof(*pos), member)), 1); \
	     pos = n)

#endif
