/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_RESET_H
#define VFIOX_RESET_H

#include <stddef.h>

#include <vfiox/pci.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: device reset
 *
 * Two ways to reset a device opened through VFIO. vfiox_device_reset() resets the function
 * alone (VFIO_DEVICE_RESET): the kernel uses the first method of the device's
 * reset_method attribute that works without touching another device (FLR, PM reset, or
 * a slot or bus reset when the device is alone there).
 *
 * A hot reset is a secondary bus reset (or slot reset) that resets every device below the
 * same bridge. The kernel allows it only to a user who proves that it owns every IOMMU
 * group of those devices, by passing their group fds. vfiox_device_hot_reset_plan() says
 * which devices and groups a hot reset would touch; vfiox_device_hot_reset() checks that
 * the groups given cover them all before it asks the kernel.
 */
struct vfiox_reset_plan;

/**
 * vfiox_device_reset() - reset one device on its own (VFIO_DEVICE_RESET)
 * @d: the device
 *
 * Return: 0; -EINVAL or -ENOTTY when the kernel has no reset for the device alone (the
 * last error quotes the device's reset_method from sysfs and, when its only method is a
 * bus reset, points to the hot reset); -EAGAIN when the device was locked by another
 * reset (try again); other -errno.
 */
int vfiox_device_reset(struct vfiox_device *d);

/**
 * vfiox_device_hot_reset_plan() - what a hot reset of a device would touch
 * @d: the device
 * @planp: receives the plan; free it with vfiox_reset_plan_free()
 *
 * Asks the kernel (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, its reply resized as needed) for
 * every device the slot or bus reset would reset, @d included, with its IOMMU group.
 * The plan is a snapshot: it owns its memory and does not refer to @d.
 *
 * Return: 0; -ENODEV when neither the slot nor the bus of @d can be reset; -EPERM when a
 * device on that bus is in no IOMMU group (the kernel never resets those); -ENOTTY when
 * @d is not a vfio-pci device; -EOPNOTSUPP when the kernel names the devices by iommufd
 * device id (a device fd from the VFIO cdev interface); -EPROTO for a malformed reply;
 * -ENOMEM; other -errno.
 */
int vfiox_device_hot_reset_plan(struct vfiox_device *d, struct vfiox_reset_plan **planp);

/**
 * vfiox_reset_plan_free() - release a plan
 * @plan: the plan, or NULL
 */
void vfiox_reset_plan_free(struct vfiox_reset_plan *plan);

/**
 * vfiox_reset_plan_num_devs() - number of devices the hot reset touches
 * @plan: the plan
 *
 * Return: the number, at least 1 (the device itself).
 */
size_t vfiox_reset_plan_num_devs(const struct vfiox_reset_plan *plan);

/**
 * vfiox_reset_plan_dev_addr() - address of a device of the plan, in address order
 * @plan: the plan
 * @idx: 0 .. vfiox_reset_plan_num_devs() - 1
 *
 * The kernel reports the PCI segment in 16 bits: domains above 0xffff come back
 * truncated, as the kernel gives them.
 *
 * Return: the address, owned by the plan; NULL when @idx is out of range.
 */
const struct vfiox_pci_addr *vfiox_reset_plan_dev_addr(const struct vfiox_reset_plan *plan,
						       size_t idx);

/**
 * vfiox_reset_plan_dev_name() - the same address as sysfs spells it ("0000:02:01.0")
 * @plan: the plan
 * @idx: 0 .. vfiox_reset_plan_num_devs() - 1
 *
 * Return: the name, owned by the plan; NULL when @idx is out of range.
 */
const char *vfiox_reset_plan_dev_name(const struct vfiox_reset_plan *plan, size_t idx);

/**
 * vfiox_reset_plan_dev_group() - IOMMU group of a device of the plan
 * @plan: the plan
 * @idx: 0 .. vfiox_reset_plan_num_devs() - 1
 *
 * Return: the group number; -ERANGE when @idx is out of range.
 */
int vfiox_reset_plan_dev_group(const struct vfiox_reset_plan *plan, size_t idx);

/**
 * vfiox_reset_plan_num_groups() - number of distinct IOMMU groups in the plan
 * @plan: the plan
 *
 * Return: the number, at least 1.
 */
size_t vfiox_reset_plan_num_groups(const struct vfiox_reset_plan *plan);

/**
 * vfiox_reset_plan_group() - a group of the plan, in ascending group number
 * @plan: the plan
 * @idx: 0 .. vfiox_reset_plan_num_groups() - 1
 *
 * Return: the group number; -ERANGE when @idx is out of range.
 */
int vfiox_reset_plan_group(const struct vfiox_reset_plan *plan, size_t idx);

/**
 * vfiox_device_hot_reset() - reset every device on the slot or bus of a device
 * @d: the device
 * @groups: open groups proving ownership; they must include every group of the plan,
 *	the group of @d itself too. Duplicates and groups the plan does not need are
 *	allowed; only the needed ones are passed to the kernel, each once.
 * @n: entries in @groups
 *
 * Takes the plan first (as vfiox_device_hot_reset_plan()) and refuses, without asking
 * the kernel, when a group of the plan is missing from @groups: the last error names each
 * missing group and its devices. Otherwise VFIO_DEVICE_PCI_HOT_RESET with the group fds.
 * A device opened by its cdev (the iommufd backend) proves ownership through its iommufd
 * instead: @groups is ignored, every device of the plan must be bound to the same iommufd
 * (refused with -EPERM naming those that are not), and the kernel gets no group fds.
 *
 * Return: 0; -EPERM when a group is missing (refused here) or the kernel finds a device
 * that is open by someone else; -EINVAL for a NULL entry in @groups or when the kernel
 * finds a device it may not reset (not bound to vfio-pci); -EBUSY or -EAGAIN when a device
 * is busy (try again); the errors of vfiox_device_hot_reset_plan(); other -errno.
 */
int vfiox_device_hot_reset(struct vfiox_device *d, struct vfiox_vgroup *const *groups, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_RESET_H */
