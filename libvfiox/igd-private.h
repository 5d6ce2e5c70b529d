/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to libvfiox: the pieces of igd.c that igd-zero.c, the unit tests and the fuzzers use. */
#ifndef VFIOX_IGD_PRIVATE_H
#define VFIOX_IGD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/igd.h>

/* The lines of a group's reserved_regions, at most @max of them; pure. Return: 0. */
int vfiox__igd_parse_resv(const char *text, struct vfiox_igd_resv *v, size_t max, size_t *n);

/*
 * The worst finding of an inspection that decides whether the stolen memory may be
 * cleared (QEMU's needs and the OpRegion do not), with its id and summary.
 */
int vfiox__igd_worst(const struct vfiox_igd *igd, const char **idp, const char **summaryp);

/* The IOMMU group of the device inspected, -1 for none. */
int vfiox__igd_group(const struct vfiox_igd *igd);

/*
 * Reads or writes @len bytes at @off of region @r of @d through the device fd. Return: 0;
 * -EINVAL for a range outside the region; -EIO for a short transfer; the kernel's -errno.
 */
int vfiox__igd_region_io(struct vfiox_device *d, const struct vfiox_region *r, uint64_t off,
			 void *buf, size_t len, bool write);

#endif /* VFIOX_IGD_PRIVATE_H */
