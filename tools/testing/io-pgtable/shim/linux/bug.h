/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: WARN*, VM_BUG_ON(). A warning is recorded by the harness. */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/compiler.h>

void shim_warn(const char *file, int line, const char *cond);
void __noreturn shim_bug(const char *file, int line, const char *cond);

#define WARN_ON(cond) ({						\
	int __ret_warn_on = !!(cond);					\
	if (unlikely(__ret_warn_on))					\
		shim_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__ret_warn_on);					\
})
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define WARN(cond, fmt...)	WARN_ON(cond)
#define WARN_ONCE(cond, fmt...)	WARN_ON(cond)
/*
 * upstream 6.12 uses VM_BUG_ON(); BUG() and BUG_ON() are not used. The
 * harness's version reports to the model (which fails the case) and stops.
 */
#define shim_vm_bug_on(cond)						\
	do {								\
		if (unlikely(cond))					\
			shim_bug(__FILE__, __LINE__, #cond);		\
	} while (0)
#define VM_BUG_ON		shim_vm_bug_on
#define VM_WARN_ON(cond)	((void)WARN_ON(cond))
#define VM_WARN_ON_ONCE(cond)	((void)WARN_ON(cond))

#endif /* _SHIM_LINUX_BUG_H */
