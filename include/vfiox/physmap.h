/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_PHYSMAP_H
#define VFIOX_PHYSMAP_H

#include <stdint.h>

#include <vfiox/dma.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: physical ranges for a device
 *
 * Some memory a device must reach belongs to no process: firmware-reserved ranges such as
 * an integrated GPU's stolen memory. vfiox_physmap_new() maps such a range of host physical
 * memory into the process through /dev/mem and then into a container, so the devices of
 * the container reach it at an IOVA (often the physical address itself, with
 * VFIOX_DMA_FIXED). Only ranges that /proc/iomem shows outside System RAM are accepted.
 */
struct vfiox_physmap;

/**
 * vfiox_physmap_new() - map a reserved physical range into a container
 * @c: the container, with a group attached and its IOMMU model set
 * @phys: host physical address; page aligned
 * @size: bytes; a non-zero multiple of the page size
 * @flags: VFIOX_DMA_READ and/or VFIOX_DMA_WRITE, optionally VFIOX_DMA_FIXED
 * @limit: as for vfiox_dma_map()
 * @iova: with VFIOX_DMA_FIXED the IOVA to map at (in); otherwise receives the IOVA chosen
 * @mp: receives the mapping; release it with vfiox_physmap_free()
 *
 * Return: 0; -EINVAL for unaligned or zero sizes; -EPERM when the range overlaps System
 * RAM or the kernel refuses /dev/mem (lockdown, STRICT_DEVMEM); -EACCES when /proc/iomem
 * hides its addresses (not root); -ENOENT without /dev/mem; what vfiox_dma_map() returns.
 * The last error names the range and the reason.
 */
int vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
		      unsigned int flags, uint64_t limit, uint64_t *iova,
		      struct vfiox_physmap **mp);

/**
 * vfiox_physmap_free() - unmap the range from the container and from the process
 * @m: the mapping, or NULL
 */
void vfiox_physmap_free(struct vfiox_physmap *m);

/**
 * vfiox_physmap_addr() - the process's view of the range
 * @m: the mapping
 *
 * Return: the start of the mapping of /dev/mem; owned by @m.
 */
void *vfiox_physmap_addr(const struct vfiox_physmap *m);

/**
 * vfiox_physmap_iova() - where the devices reach the range
 * @m: the mapping
 *
 * Return: the IOVA.
 */
uint64_t vfiox_physmap_iova(const struct vfiox_physmap *m);

/**
 * vfiox_physmap_size() - length of the range
 * @m: the mapping
 *
 * Return: bytes.
 */
uint64_t vfiox_physmap_size(const struct vfiox_physmap *m);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_PHYSMAP_H */
