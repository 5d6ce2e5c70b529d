/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the guest test helpers: one device opened the way a VMM would. */
#ifndef VFIOX_VM_HELPER_H
#define VFIOX_VM_HELPER_H

#include <string.h>

#include <vfiox/vfiox.h>

struct helper_dev {
	struct vfiox_scan *scan;
	struct vfiox_container *c;
	struct vfiox_vgroup *g;
	struct vfiox_device *d;
};

/* Container, the device's group attached to it, and the device; 0 or -1 (reason in ctx). */
static inline int helper_open(struct vfiox_ctx *ctx, const char *addr, struct helper_dev *h)
{
	struct vfiox_pci_dev *p;

	memset(h, 0, sizeof(*h));
	return vfiox_scan_new(ctx, &h->scan) || vfiox_scan_find_dev(h->scan, addr, &p) ||
	       vfiox_container_open(ctx, &h->c) ||
	       vfiox_vgroup_open(ctx, vfiox_pci_dev_iommu_group(p), &h->g) ||
	       vfiox_container_attach(h->c, h->g) ||
	       vfiox_device_open(h->g, vfiox_pci_dev_name(p), NULL, &h->d) ? -1 : 0;
}

static inline void helper_close(struct helper_dev *h)
{
	vfiox_device_close(h->d);
	vfiox_vgroup_close(h->g);
	vfiox_container_close(h->c);
	vfiox_scan_free(h->scan);
	memset(h, 0, sizeof(*h));
}

#endif
