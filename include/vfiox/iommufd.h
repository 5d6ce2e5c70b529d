/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_IOMMUFD_H
#define VFIOX_IOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: two IOMMU backends
 *
 * A &struct vfiox_container is the IOMMU context devices do DMA in, and it comes from one
 * of two kernel interfaces:
 *
 * - type1: /dev/vfio/vfio, with IOMMU groups (/dev/vfio/N) attached and device fds taken
 *   from the groups (vfiox_container_open(), vfiox_vgroup_open(), vfiox_device_open());
 * - iommufd: /dev/iommu with one I/O address space (IOAS) allocated in it, and devices
 *   opened by their VFIO character device (/dev/vfio/devices/vfioN), bound to the iommufd
 *   and attached to the IOAS (vfiox_iommufd_open(), vfiox_device_open_cdev()).
 *
 * Everything else (DMA mapping, pools, regions, BARs, interrupts, resets) takes the
 * container or the device and works the same over both. vfiox_device_open_any() opens
 * a device the way a VMM would, choosing the backend (iommufd where the kernel and the
 * device offer it, type1 otherwise) unless the caller forces one.
 */

/* Backends, for vfiox_device_open_any() and vfiox_backend_choose(). */
enum vfiox_backend {
	VFIOX_BACKEND_AUTO = 0,
	VFIOX_BACKEND_TYPE1 = 1,
	VFIOX_BACKEND_IOMMUFD = 2,
};

/**
 * vfiox_backend_name() - "auto", "type1" or "iommufd"
 * @backend: an &enum vfiox_backend
 *
 * Return: a static string; "?" for another value.
 */
const char *vfiox_backend_name(int backend);

/**
 * vfiox_backend_parse() - the backend a name stands for
 * @name: "auto", "type1" (also "legacy", "container") or "iommufd" (also "cdev")
 *
 * Return: the &enum vfiox_backend, or -EINVAL.
 */
int vfiox_backend_parse(const char *name);

/**
 * vfiox_iommufd_open() - open /dev/iommu and allocate an IOAS in it
 * @ctx: the context
 * @cp: receives the container (its backend is VFIOX_BACKEND_IOMMUFD)
 *
 * Return: 0; -ENOENT when the kernel has no iommufd (no /dev/iommu: CONFIG_IOMMUFD);
 * -EACCES; other -errno (the last error says which step failed).
 */
int vfiox_iommufd_open(struct vfiox_ctx *ctx, struct vfiox_container **cp);

/**
 * vfiox_iommufd_adopt() - use an iommufd opened by someone else
 * @ctx: the context
 * @fd: an open /dev/iommu; the container owns it from now on, also on failure
 * @ioas: an IOAS of that iommufd to use, or 0 to allocate a new one
 * @cp: receives the container
 *
 * Return: 0; -EBADF when @fd is not an iommufd; -ENOENT when @ioas does not exist in it;
 * other -errno.
 */
int vfiox_iommufd_adopt(struct vfiox_ctx *ctx, int fd, uint32_t ioas,
			struct vfiox_container **cp);

/**
 * vfiox_container_backend() - the kernel interface behind a container
 * @c: the container
 *
 * Return: VFIOX_BACKEND_TYPE1 or VFIOX_BACKEND_IOMMUFD.
 */
int vfiox_container_backend(const struct vfiox_container *c);

/**
 * vfiox_container_ioas() - the IOAS of an iommufd container
 * @c: the container
 *
 * Return: the IOAS id; 0 for a type1 container.
 */
uint32_t vfiox_container_ioas(const struct vfiox_container *c);

/**
 * vfiox_device_cdev() - the VFIO character device of a PCI device
 * @ctx: the context
 * @dev: the device's address ("0000:03:00.0")
 * @buf: receives its path under the context's device root ("/dev/vfio/devices/vfio0")
 * @len: size of @buf
 *
 * Found through sysfs (the device's vfio-dev/vfioN); the node need not exist.
 *
 * Return: 0; -ENODEV when the device has no VFIO cdev (not bound to vfio-pci, or a kernel
 * without CONFIG_VFIO_DEVICE_CDEV; the last error says which); -ENAMETOOLONG.
 */
int vfiox_device_cdev(struct vfiox_ctx *ctx, const char *dev, char *buf, size_t len);

/**
 * vfiox_device_open_cdev() - open a device by its cdev, bind it and attach it to the IOAS
 * @c: an iommufd container
 * @name: the device's address
 * @dp: receives the device
 *
 * Opens /dev/vfio/devices/vfioN, VFIO_DEVICE_BIND_IOMMUFD to the container's iommufd and
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT to its IOAS. A device attached after DMA was mapped
 * narrows the usable IOVA ranges: the allocator keeps out of what it takes away.
 *
 * Return: 0; -ENODEV without a cdev; -EBUSY when its group is open through /dev/vfio/N or
 * the device is bound elsewhere (the holder is named when /proc shows it); -EINVAL for a
 * type1 container; -EOPNOTSUPP for a VF whose PF is on vfio-pci (this kernel interface
 * takes no VF token: use type1); other -errno.
 */
int vfiox_device_open_cdev(struct vfiox_container *c, const char *name, struct vfiox_device **dp);

/**
 * vfiox_device_adopt_cdev() - bind and attach a cdev fd opened by someone else
 * @c: an iommufd container
 * @fd: an open, not yet bound /dev/vfio/devices/vfioN; the device owns it from now on,
 *	also on failure
 * @name: the device's address, for messages
 * @dp: receives the device
 *
 * Return: as vfiox_device_open_cdev(); -EBADF when @fd is not a VFIO cdev.
 */
int vfiox_device_adopt_cdev(struct vfiox_container *c, int fd, const char *name,
			    struct vfiox_device **dp);

/**
 * vfiox_device_devid() - the iommufd device id of a device bound by its cdev
 * @d: the device
 *
 * Return: the id (never 0); 0 for a device opened through its group.
 */
uint32_t vfiox_device_devid(const struct vfiox_device *d);

/* iommufd's hardware types (IOMMU_HW_INFO_TYPE_*). */
enum vfiox_iommu_hw_type {
	VFIOX_IOMMU_HW_NONE = 0,
	VFIOX_IOMMU_HW_INTEL_VTD = 1,
	VFIOX_IOMMU_HW_ARM_SMMUV3 = 2,
};

/* IOMMU_HW_CAP_* */
#define VFIOX_IOMMU_HW_CAP_DIRTY_TRACKING (1u << 0)
#define VFIOX_IOMMU_HW_CAP_PASID_EXEC (1u << 1)
#define VFIOX_IOMMU_HW_CAP_PASID_PRIV (1u << 2)

/**
 * struct vfiox_iommu_hw_info - IOMMU_GET_HW_INFO for a device
 * @type: an &enum vfiox_iommu_hw_type
 * @type_name: "none", "intel-vtd", "arm-smmuv3" or "unknown" (static)
 * @capabilities: VFIOX_IOMMU_HW_CAP_*
 * @max_pasid_log2: width of the PASIDs the device supports, 0 without PASID
 * @data_len: bytes of hardware data the kernel filled in @data
 * @data: the hardware data as the kernel gave it (the first 64 bytes)
 * @vtd_flags: for Intel VT-d: its flags (bit 0: ERRATA_772415_SPR17)
 * @vtd_cap_reg: for Intel VT-d: the capability register
 * @vtd_ecap_reg: for Intel VT-d: the extended capability register
 */
struct vfiox_iommu_hw_info {
	uint32_t type;
	const char *type_name;
	uint64_t capabilities;
	uint8_t max_pasid_log2;
	uint32_t data_len;
	uint8_t data[64];
	uint32_t vtd_flags;
	uint64_t vtd_cap_reg;
	uint64_t vtd_ecap_reg;
};

/**
 * vfiox_device_iommu_hw_info() - what iommufd reports of the IOMMU behind a device
 * @d: a device opened by its cdev
 * @info: receives the information
 *
 * Return: 0; -EINVAL for a device opened through its group; other -errno.
 */
int vfiox_device_iommu_hw_info(struct vfiox_device *d, struct vfiox_iommu_hw_info *info);

/**
 * vfiox_backend_choose() - which backend a device would use, and why
 * @ctx: the context
 * @dev: the device's address
 * @wanted: VFIOX_BACKEND_AUTO, or a backend the caller forces
 * @need_vf_token: the device will be opened with a VF token
 * @why: receives the reason in words ("iommufd: /dev/iommu and vfio-dev/vfio0 present"), or NULL
 * @len: size of @why
 *
 * Auto picks iommufd when /dev/iommu exists and the device has a VFIO cdev (and needs no VF
 * token), type1 otherwise. A forced backend that cannot serve the device is refused.
 *
 * Return: VFIOX_BACKEND_TYPE1 or VFIOX_BACKEND_IOMMUFD; -ENODEV (forced iommufd, no
 * /dev/iommu or no cdev), -EOPNOTSUPP (forced iommufd with a VF token), -ENOENT (forced
 * type1 without /dev/vfio/vfio); the last error says why.
 */
int vfiox_backend_choose(struct vfiox_ctx *ctx, const char *dev, int wanted, bool need_vf_token,
			 char *why, size_t len);

/**
 * vfiox_device_open_any() - open one device the way a VMM would, over either backend
 * @ctx: the context
 * @dev: the device's address
 * @backend: VFIOX_BACKEND_AUTO or the backend to force (see vfiox_backend_choose())
 * @vf_token: the VF token for a VF whose PF is on vfio-pci, or NULL
 * @cp: receives a new container the device is attached to
 * @gp: receives its group (type1), or NULL (iommufd); may itself be NULL when @backend
 *	is VFIOX_BACKEND_IOMMUFD
 * @dp: receives the device
 *
 * Close in reverse order: the device, the group, the container.
 *
 * Return: 0 or -errno, as the steps it takes; on failure nothing stays open.
 */
int vfiox_device_open_any(struct vfiox_ctx *ctx, const char *dev, int backend,
			  const char *vf_token, struct vfiox_container **cp,
			  struct vfiox_vgroup **gp, struct vfiox_device **dp);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_IOMMUFD_H */
