/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_VFIO_H
#define VFIOX_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: containers, groups and devices
 *
 * The VFIO group/container interface: a &struct vfiox_container is an open
 * /dev/vfio/vfio (one IOMMU context); a &struct vfiox_vgroup is an open /dev/vfio/N (an
 * IOMMU group, attached to a container before use); a &struct vfiox_device is a device
 * fd taken from an attached group. Each can also adopt an fd that another process opened
 * and passed in. Every fd the library opens is O_CLOEXEC. Handles are closed in reverse
 * order: devices, then groups, then the container.
 */
struct vfiox_container;
struct vfiox_vgroup;
struct vfiox_device;

/* IOMMU models, the kernel's numbers (VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU). */
enum vfiox_iommu_model {
	VFIOX_IOMMU_NONE = 0,
	VFIOX_IOMMU_TYPE1 = 1,
	VFIOX_IOMMU_TYPE1V2 = 3,
	/* Not a VFIO number: the IOAS of an iommufd container (see <vfiox/iommufd.h>). */
	VFIOX_IOMMU_IOMMUFD = 0x100,
};

/**
 * vfiox_container_open() - open /dev/vfio/vfio under the context's device root
 * @ctx: the context
 * @cp: receives the container
 *
 * Checks the API version and which IOMMU models the kernel offers; the model is chosen
 * when the first group is attached (type1v2 preferred, type1 otherwise).
 *
 * Return: 0; -ENOENT when VFIO is not loaded (modprobe vfio-pci); -EACCES; -EPROTO for an
 * API version other than 0; -ENODEV when the kernel offers no type1 IOMMU.
 */
int vfiox_container_open(struct vfiox_ctx *ctx, struct vfiox_container **cp);

/**
 * vfiox_container_adopt() - use a container fd opened by someone else
 * @ctx: the context
 * @fd: an open /dev/vfio/vfio; the container owns it from now on, also on failure
 * @cp: receives the container
 *
 * Return: as vfiox_container_open(); -EBADF when @fd is not a VFIO container.
 */
int vfiox_container_adopt(struct vfiox_ctx *ctx, int fd, struct vfiox_container **cp);

/**
 * vfiox_container_close() - close a container
 * @c: the container, or NULL
 */
void vfiox_container_close(struct vfiox_container *c);

/**
 * vfiox_container_fd() - the container's fd (owned by the container)
 * @c: the container
 *
 * Return: the fd.
 */
int vfiox_container_fd(const struct vfiox_container *c);

/**
 * vfiox_container_models() - IOMMU models the kernel offers
 * @c: the container
 *
 * Return: a bit mask with bit (1 << model) set for each &enum vfiox_iommu_model offered.
 */
unsigned int vfiox_container_models(const struct vfiox_container *c);

/**
 * vfiox_container_model() - the IOMMU model in use
 * @c: the container
 *
 * Return: an &enum vfiox_iommu_model; VFIOX_IOMMU_NONE until a group is attached.
 */
int vfiox_container_model(const struct vfiox_container *c);

/**
 * vfiox_container_check_extension() - ask the kernel about an extension
 * @c: the container
 * @ext: a VFIO extension number (VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, ...)
 *
 * Return: positive when supported, 0 when not, -errno on failure.
 */
int vfiox_container_check_extension(struct vfiox_container *c, int ext);

/**
 * vfiox_vgroup_open() - open /dev/vfio/N
 * @ctx: the context
 * @id: the group number
 * @gp: receives the group
 *
 * A group that is not viable is refused: the last error names every member whose
 * driver breaks viability and says what to do.
 *
 * Return: 0; -ENOENT (no such group, or not bound to vfio-pci: no /dev/vfio/N);
 * -EACCES (permission: the message says how to get it); -EBUSY (another process holds
 * the group: the message names it, pid and command, when /proc shows it); -EPERM (not
 * viable).
 */
int vfiox_vgroup_open(struct vfiox_ctx *ctx, int id, struct vfiox_vgroup **gp);

/**
 * vfiox_vgroup_adopt() - use a group fd opened by someone else
 * @ctx: the context
 * @fd: an open /dev/vfio/N; the group owns it from now on, also on failure
 * @id: its group number
 * @gp: receives the group
 *
 * Return: as vfiox_vgroup_open(); -EBADF when @fd is not a VFIO group.
 */
int vfiox_vgroup_adopt(struct vfiox_ctx *ctx, int fd, int id, struct vfiox_vgroup **gp);

/**
 * vfiox_vgroup_close() - detach (if attached) and close a group
 * @g: the group, or NULL
 *
 * A group that came attached (an adopted fd, see vfiox_container_attach()) is not
 * detached: its fd is shared with the process that attached it.
 */
void vfiox_vgroup_close(struct vfiox_vgroup *g);

/**
 * vfiox_vgroup_fd() - the group's fd (owned by the group)
 * @g: the group
 *
 * Return: the fd.
 */
int vfiox_vgroup_fd(const struct vfiox_vgroup *g);

/**
 * vfiox_vgroup_id() - the group's number
 * @g: the group
 *
 * Return: the number.
 */
int vfiox_vgroup_id(const struct vfiox_vgroup *g);

/**
 * vfiox_vgroup_status() - VFIO_GROUP_GET_STATUS
 * @g: the group
 * @viable: receives whether the group is viable
 * @container_set: receives whether the group is attached to a container
 *
 * Return: 0 or -errno.
 */
int vfiox_vgroup_status(struct vfiox_vgroup *g, bool *viable, bool *container_set);

/**
 * vfiox_container_attach() - attach a group to a container
 * @c: the container
 * @g: the group
 *
 * The first group attached also sets the IOMMU model. Several groups may share a
 * container.
 *
 * Return: 0 or -errno (with the reason in the last error); -EINVAL for an iommufd
 * container (it takes devices by their cdevs, not groups).
 */
int vfiox_container_attach(struct vfiox_container *c, struct vfiox_vgroup *g);

/**
 * vfiox_vgroup_detach() - detach a group from its container
 * @g: the group
 *
 * For a group that came attached only the library's link is dropped; the kernel's
 * attachment, shared with the process that made it, stays.
 *
 * Return: 0, or -errno; detaching a group that is not attached is 0.
 */
int vfiox_vgroup_detach(struct vfiox_vgroup *g);

/**
 * struct vfiox_iova_range - a range of IOVAs usable for DMA, inclusive
 * @start: first IOVA
 * @end: last IOVA
 */
struct vfiox_iova_range {
	uint64_t start;
	uint64_t end;
};

/**
 * struct vfiox_iommu_info - VFIO_IOMMU_GET_INFO decoded
 * @flags: VFIO_IOMMU_INFO_* flags
 * @pgsizes: bit mask of supported IOMMU page sizes
 * @num_iova_ranges: entries in @iova_ranges
 * @iova_ranges: usable IOVA ranges (reserved windows such as the MSI window excluded);
 *	NULL when the kernel did not report them
 * @dma_avail: DMA mappings still available, -1 when not reported
 * @migration: the kernel reported the migration (dirty tracking) capability
 * @migration_flags: its flags
 * @migration_pgsizes: page sizes for dirty tracking
 * @max_dirty_bitmap_size: largest dirty bitmap in bytes
 * @num_unknown_caps: capabilities the library does not know
 * @unknown_caps: their ids (the first 16)
 */
struct vfiox_iommu_info {
	uint32_t flags;
	uint64_t pgsizes;
	size_t num_iova_ranges;
	struct vfiox_iova_range *iova_ranges;
	int64_t dma_avail;
	bool migration;
	uint32_t migration_flags;
	uint64_t migration_pgsizes;
	uint64_t max_dirty_bitmap_size;
	size_t num_unknown_caps;
	uint16_t unknown_caps[16];
};

/**
 * vfiox_container_iommu_info() - IOMMU info with all its capabilities
 * @c: the container, with at least one group attached
 * @infop: receives the info; free it with vfiox_iommu_info_free()
 *
 * Return: 0; -EINVAL before a group is attached; -EPROTO when the kernel's reply is
 * malformed (the last error says where); other -errno.
 */
int vfiox_container_iommu_info(struct vfiox_container *c, struct vfiox_iommu_info **infop);

/**
 * vfiox_iommu_info_free() - release an IOMMU info
 * @info: the info, or NULL
 */
void vfiox_iommu_info_free(struct vfiox_iommu_info *info);

/**
 * vfiox_device_open() - get a device fd from an attached group
 * @g: the group
 * @name: the device's address as sysfs spells it ("0000:03:00.0")
 * @vf_token: the VF token (a UUID) for a VF whose PF is bound to vfio-pci, or NULL
 * @dp: receives the device
 *
 * Return: 0; -EINVAL when the group is not attached to a container; -ENODEV when the
 * device is not in the group; -EBUSY when already open; other -errno.
 */
int vfiox_device_open(struct vfiox_vgroup *g, const char *name, const char *vf_token,
		      struct vfiox_device **dp);

/**
 * vfiox_device_adopt() - use a device fd obtained by someone else
 * @ctx: the context
 * @fd: a VFIO device fd; the device owns it from now on, also on failure
 * @name: the device's address, for messages
 * @dp: receives the device
 *
 * Return: 0; -EBADF when @fd is not a VFIO device; -ENOMEM.
 */
int vfiox_device_adopt(struct vfiox_ctx *ctx, int fd, const char *name,
		       struct vfiox_device **dp);

/**
 * vfiox_device_close() - close a device
 * @d: the device, or NULL
 */
void vfiox_device_close(struct vfiox_device *d);

/**
 * vfiox_device_fd() - the device's fd (owned by the device)
 * @d: the device
 *
 * Return: the fd.
 */
int vfiox_device_fd(const struct vfiox_device *d);

/**
 * vfiox_device_name() - the device's address
 * @d: the device
 *
 * Return: the name given when it was opened; owned by the device.
 */
const char *vfiox_device_name(const struct vfiox_device *d);

/**
 * struct vfiox_device_info - VFIO_DEVICE_GET_INFO decoded
 * @flags: VFIO_DEVICE_FLAGS_*
 * @num_regions: regions (VFIO_PCI_NUM_REGIONS and vendor regions after them)
 * @num_irqs: interrupt indexes
 * @num_caps: device capabilities in @cap_ids
 * @cap_ids: ids of the device capabilities (the first 16)
 */
struct vfiox_device_info {
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	size_t num_caps;
	uint16_t cap_ids[16];
};

/**
 * vfiox_device_info() - VFIO_DEVICE_GET_INFO with its capability chain
 * @d: the device
 * @info: receives the info
 *
 * Return: 0; -EPROTO for a malformed reply; other -errno.
 */
int vfiox_device_info(struct vfiox_device *d, struct vfiox_device_info *info);

/**
 * struct vfiox_sparse_area - a part of a region that may be mmapped
 * @offset: from the start of the region
 * @size: length in bytes
 */
struct vfiox_sparse_area {
	uint64_t offset;
	uint64_t size;
};

/**
 * struct vfiox_region - VFIO_DEVICE_GET_REGION_INFO with its capability chain decoded
 * @index: region index
 * @name: "BAR0".."BAR5", "ROM", "CONFIG", "VGA", a vendor region's name
 *	("IGD OpRegion", ...) or "region N"
 * @flags: VFIO_REGION_INFO_FLAG_* (READ, WRITE, MMAP, CAPS)
 * @size: bytes; 0 for a region the device does not implement
 * @offset: the region's offset in the device fd
 * @has_type: a TYPE capability was reported
 * @type: its type (VFIO_REGION_TYPE_*, bit 31 set for PCI vendor types)
 * @subtype: its subtype
 * @msix_mappable: the MSIX_MAPPABLE capability was reported
 * @has_sparse: a SPARSE_MMAP capability was reported
 * @num_sparse: entries in @sparse
 * @sparse: the mmappable areas
 * @num_unknown_caps: capabilities the library does not know
 * @unknown_caps: their ids (the first 16)
 */
struct vfiox_region {
	uint32_t index;
	const char *name;
	uint32_t flags;
	uint64_t size;
	uint64_t offset;
	bool has_type;
	uint32_t type;
	uint32_t subtype;
	bool msix_mappable;
	bool has_sparse;
	size_t num_sparse;
	struct vfiox_sparse_area *sparse;
	size_t num_unknown_caps;
	uint16_t unknown_caps[16];
};

/**
 * vfiox_device_region() - information about one region
 * @d: the device
 * @index: region index, 0 .. num_regions - 1
 * @rp: receives the region; free it with vfiox_region_free()
 *
 * Return: 0; -EINVAL for an index the kernel rejects, which vfio-pci does for regions
 * the device does not have (the VGA region of a non-VGA device); -EPROTO for a malformed
 * reply (the last error says which offset was wrong); other -errno.
 */
int vfiox_device_region(struct vfiox_device *d, uint32_t index, struct vfiox_region **rp);

/**
 * vfiox_region_free() - release a region info
 * @r: the region, or NULL
 */
void vfiox_region_free(struct vfiox_region *r);

/**
 * struct vfiox_irq - VFIO_DEVICE_GET_IRQ_INFO
 * @index: interrupt index
 * @name: "INTx", "MSI", "MSI-X", "ERR", "REQ", or "unknown" past those (a static string)
 * @flags: VFIO_IRQ_INFO_* (EVENTFD, MASKABLE, AUTOMASKED, NORESIZE)
 * @count: vectors; 0 when the device has none of this kind
 */
struct vfiox_irq {
	uint32_t index;
	const char *name;
	uint32_t flags;
	uint32_t count;
};

/**
 * vfiox_device_irq() - information about one interrupt index
 * @d: the device
 * @index: 0 .. num_irqs - 1
 * @irq: receives the information
 *
 * Return: 0; -EINVAL for an index the device does not have (vfio-pci offers ERR only
 * for PCI Express devices); other -errno.
 */
int vfiox_device_irq(struct vfiox_device *d, uint32_t index, struct vfiox_irq *irq);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_VFIO_H */
