/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the memory-management helpers the code under test uses. */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <asm/page.h>

#endif /* _SHIM_LINUX_MM_H */
