// SPDX-License-Identifier: LGPL-2.1-or-later
/* IOMMU groups and the kernel's viability rule. */
#include <string.h>

#include "internal.h"

VFIOX_EXPORT bool vfiox_driver_keeps_group_viable(const char *driver)
{
	/*
	 * Since Linux 5.19 the IOMMU core lets a group be claimed for user DMA only when
	 * every bound driver sets driver_managed_dma: pci-stub, pcieport and the VFIO
	 * drivers (vfio-pci and its variants such as mlx5_vfio_pci). Unbound is fine.
	 */
	if (!driver || !*driver)
		return true;
	if (!strcmp(driver, "pci-stub") || !strcmp(driver, "pcieport"))
		return true;
	return strstr(driver, "vfio") != NULL;
}

VFIOX_EXPORT int vfiox_group_id(const struct vfiox_group *group)
{
	return group->id;
}

VFIOX_EXPORT size_t vfiox_group_num_devs(const struct vfiox_group *group)
{
	return group->num_devs;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_group_dev(const struct vfiox_group *group, size_t idx)
{
	return idx < group->num_devs ? group->devs[idx] : NULL;
}

VFIOX_EXPORT bool vfiox_group_viable(const struct vfiox_group *group)
{
	return group->num_blockers == 0;
}

VFIOX_EXPORT size_t vfiox_group_num_blockers(const struct vfiox_group *group)
{
	return group->num_blockers;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_group_blocker(const struct vfiox_group *group, size_t idx)
{
	return idx < group->num_blockers ? group->blockers[idx] : NULL;
}
