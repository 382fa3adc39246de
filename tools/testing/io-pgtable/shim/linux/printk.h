/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: pr_*(). Messages go through the harness logger. */
#ifndef _SHIM_LINUX_PRINTK_H
#define _SHIM_LINUX_PRINTK_H

#include <linux/compiler.h>

__printf(2, 3) void shim_printk(int level, const char *fmt, ...);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...)	shim_printk(0, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	shim_printk(1, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	shim_printk(2, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	shim_printk(3, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk(4, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	shim_printk(5, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_printk(6, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	shim_printk(7, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once		pr_warn
#define pr_err_once		pr_err
#define pr_info_once		pr_info
#define pr_err_ratelimited	pr_err
#define pr_warn_ratelimited	pr_warn

#endif /* _SHIM_LINUX_PRINTK_H */
