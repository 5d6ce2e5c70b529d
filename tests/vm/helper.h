/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the guest test helpers: one device opened the way a VMM would. */
#ifndef VFIOX_VM_HELPER_H
#define VFIOX_VM_HELPER_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vfiox/vfiox.h>

/* edu's DMA engine (QEMU docs/specs/edu): its 4 KiB buffer sits at device address 0x40000. */
#define EDU_BUF 0x40000u
#define EDU_MASK (1ull << 28)

/*
 * One edu transfer of @len bytes (at most 2048: QEMU 7.2's bounds check is off by one at
 * 4096); @to_ram: device buffer -> IOVA, else IOVA -> device buffer. 0, -EIO, -ETIMEDOUT.
 */
static inline int helper_edu_dma(struct vfiox_bar *bar, uint64_t iova, uint32_t len, int to_ram)
{
	struct timespec ts = { 0, 1000000 };
	uint64_t cmd = 1;
	int i;

	if (vfiox_bar_write64(bar, to_ram ? 0x88 : 0x80, iova) ||
	    vfiox_bar_write64(bar, to_ram ? 0x80 : 0x88, EDU_BUF) ||
	    vfiox_bar_write64(bar, 0x90, len) || vfiox_bar_write64(bar, 0x98, to_ram ? 3 : 1))
		return -EIO;
	for (i = 0; i < 5000; i++) {
		if (vfiox_bar_read64(bar, 0x98, &cmd))
			return -EIO;
		if (!(cmd & 1))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

struct helper_dev {
	struct vfiox_scan *scan;
	struct vfiox_container *c;
	struct vfiox_vgroup *g;
	struct vfiox_device *d;
};

/* The backend the guest's /init chose for this run of a file (VFIOX_BACKEND), else auto. */
static inline int helper_backend(void)
{
	const char *b = getenv("VFIOX_BACKEND");
	int v = b && *b ? vfiox_backend_parse(b) : VFIOX_BACKEND_AUTO;

	return v < 0 ? VFIOX_BACKEND_AUTO : v;
}

/*
 * The device opened as a VMM would, over the backend of helper_backend(): a container
 * (type1, with the device's group attached) or an iommufd with an IOAS (the device bound
 * by its cdev, h->g NULL). 0 or -1 (reason in ctx).
 */
static inline int helper_open(struct vfiox_ctx *ctx, const char *addr, struct helper_dev *h)
{
	struct vfiox_pci_dev *p;

	memset(h, 0, sizeof(*h));
	return vfiox_scan_new(ctx, &h->scan) || vfiox_scan_find_dev(h->scan, addr, &p) ||
	       vfiox_device_open_any(ctx, vfiox_pci_dev_name(p), helper_backend(), NULL, &h->c,
				     &h->g, &h->d) ? -1 : 0;
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
