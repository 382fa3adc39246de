/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: a struct device that only names the walker. */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

#include <linux/kernel.h>
#include <shim_hooks.h>

struct device_dma_parameters {
	unsigned int min_align_mask;
};

struct device {
	const char *name;
	int numa_node;
	struct device_dma_parameters *dma_parms;
};

static inline const char *dev_name(const struct device *dev)
{
	return dev ? dev->name : "(null)";
}

static inline int dev_to_node(struct device *dev)
{
	return shim_dev_to_node(dev);
}

#define dev_printk(level, dev, fmt, ...)				\
	shim_printk(level, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)		dev_printk(3, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)		dev_printk(4, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...)	dev_printk(5, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)		dev_printk(6, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)		dev_printk(7, dev, fmt, ##__VA_ARGS__)
#define dev_err_once			dev_err
#define dev_warn_once			dev_warn
#define dev_err_ratelimited		dev_err

#endif /* _SHIM_LINUX_DEVICE_H */
