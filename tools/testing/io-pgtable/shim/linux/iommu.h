/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the parts of linux/iommu.h that io-pgtable uses. */
#ifndef _SHIM_LINUX_IOMMU_H
#define _SHIM_LINUX_IOMMU_H

#include <linux/kernel.h>
#include <linux/types.h>

#define IOMMU_READ		(1 << 0)
#define IOMMU_WRITE		(1 << 1)
#define IOMMU_CACHE		(1 << 2)
#define IOMMU_NOEXEC		(1 << 3)
#define IOMMU_MMIO		(1 << 4)
#define IOMMU_PRIV		(1 << 5)

#define IOMMU_DIRTY_NO_CLEAR	(1 << 0)

struct iommu_iotlb_gather {
	unsigned long		start;
	unsigned long		end;
	size_t			pgsize;
	struct list_head	freelist;
	bool			queued;
};

struct iova_bitmap;

struct iommu_dirty_bitmap {
	struct iova_bitmap *bitmap;
	struct iommu_iotlb_gather *gather;
};

void shim_dirty_record(struct iommu_dirty_bitmap *dirty, unsigned long iova,
		       unsigned long length);

static inline bool iommu_iotlb_gather_queued(struct iommu_iotlb_gather *gather)
{
	return gather && gather->queued;
}

static inline void iommu_dirty_bitmap_record(struct iommu_dirty_bitmap *dirty,
					     unsigned long iova,
					     unsigned long length)
{
	shim_dirty_record(dirty, iova, length);
}

#endif /* _SHIM_LINUX_IOMMU_H */
