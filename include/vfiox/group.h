/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_GROUP_H
#define VFIOX_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include <vfiox/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: IOMMU groups
 *
 * A group is the smallest set of devices the IOMMU can isolate. VFIO hands out a group
 * only when it is viable: every member is bound to a VFIO driver, to a driver that
 * does not do DMA on its own (pci-stub, pcieport) or to no driver. The library computes
 * viability the same way from sysfs and names the members that break it.
 */

/**
 * vfiox_group_id() - the group number (the N of /dev/vfio/N)
 * @group: the group
 *
 * Return: the number.
 */
int vfiox_group_id(const struct vfiox_group *group);

/**
 * vfiox_group_num_devs() - number of PCI devices in the group
 * @group: the group
 *
 * Return: the count (0 for a group whose members are not PCI devices).
 */
size_t vfiox_group_num_devs(const struct vfiox_group *group);

/**
 * vfiox_group_dev() - a member by index, in address order
 * @group: the group
 * @idx: 0 .. vfiox_group_num_devs() - 1
 *
 * Return: the device, or NULL when @idx is out of range.
 */
struct vfiox_pci_dev *vfiox_group_dev(const struct vfiox_group *group, size_t idx);

/**
 * vfiox_group_viable() - whether VFIO would let the group be opened
 * @group: the group
 *
 * Return: true when no member is bound to a driver that breaks isolation.
 */
bool vfiox_group_viable(const struct vfiox_group *group);

/**
 * vfiox_group_num_blockers() - number of members that break viability
 * @group: the group
 *
 * Return: the count; 0 exactly when the group is viable.
 */
size_t vfiox_group_num_blockers(const struct vfiox_group *group);

/**
 * vfiox_group_blocker() - a member that breaks viability, by index
 * @group: the group
 * @idx: 0 .. vfiox_group_num_blockers() - 1
 *
 * Return: the device (its driver is the reason), or NULL when @idx is out of range.
 */
struct vfiox_pci_dev *vfiox_group_blocker(const struct vfiox_group *group, size_t idx);

/**
 * vfiox_driver_keeps_group_viable() - whether a driver leaves a group usable by VFIO
 * @driver: driver name, or NULL for "no driver"
 *
 * True for no driver, vfio-pci and its variant drivers (names containing "vfio"),
 * pci-stub and pcieport: the drivers the kernel marks as managing DMA themselves.
 *
 * Return: true or false.
 */
bool vfiox_driver_keeps_group_viable(const char *driver);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_GROUP_H */
