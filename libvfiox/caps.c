// SPDX-License-Identifier: LGPL-2.1-or-later
/* PCI capability lists: a bounded walker over config space and the decoders. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x10
#define CFG_HEADER_TYPE 0x0e
#define CFG_CAP_PTR 0x34
#define CFG_CARDBUS_CAP_PTR 0x14
#define MAX_STD_CAPS 48   /* (256 - 64) / 4 */
#define MAX_EXT_CAPS 480  /* (4096 - 256) / 8, the kernel's bound */

#define CAP_ID_PM 0x01
#define CAP_ID_MSI 0x05
#define CAP_ID_EXP 0x10
#define CAP_ID_MSIX 0x11
#define EXT_CAP_ID_ACS 0x0d
#define EXT_CAP_ID_SRIOV 0x10

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int push_cap(struct vfiox_pci_cap **caps, size_t *n, size_t *cap, uint16_t id,
		    uint16_t off, bool ext)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct vfiox_pci_cap *c = realloc(*caps, ncap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		*caps = c;
		*cap = ncap;
	}
	(*caps)[*n] = (struct vfiox_pci_cap){ .id = id, .offset = off, .extended = ext };
	(*n)++;
	return 0;
}

/*
 * Walks both lists of @cfg (@len bytes as read). A chain that leaves the readable
 * range, points into the header or comes back to an entry already seen is cut there
 * and @why says where; the entries before the bad pointer are kept.
 */
int vfiox__parse_caps(const uint8_t *cfg, size_t len, struct vfiox_pci_cap **capsp,
		      size_t *countp, char *why, size_t whylen)
{
	uint8_t seen[4096 / 4 / 8] = { 0 };
	struct vfiox_pci_cap *caps = NULL;
	size_t n = 0, cap = 0, steps;
	unsigned int off;
	int ret = 0;

	if (whylen)
		why[0] = '\0';
	if (len < 64)
		return -EINVAL;
	if (len > 4096)
		len = 4096;

	if (rd16(cfg + CFG_STATUS) & CFG_STATUS_CAP_LIST) {
		unsigned int ptr = (cfg[CFG_HEADER_TYPE] & 0x7f) == 2 ? CFG_CARDBUS_CAP_PTR
								   : CFG_CAP_PTR;

		off = cfg[ptr] & ~3u;
		for (steps = 0; off; steps++) {
			if (off < 0x40 || off + 2 > len || off >= 256) {
				snprintf(why, whylen, "capability pointer 0x%x is outside 0x40-0x%zx",
					 off, (len < 256 ? len : 256) - 1);
				break;
			}
			if (seen[off / 32] & (1u << (off / 4 % 8)) || steps >= MAX_STD_CAPS) {
				snprintf(why, whylen, "capability list loops back to 0x%x", off);
				break;
			}
			seen[off / 32] |= (uint8_t)(1u << (off / 4 % 8));
			if (cfg[off] == 0xff) {
				snprintf(why, whylen, "capability at 0x%x reads as 0xff", off);
				break;
			}
			ret = push_cap(&caps, &n, &cap, cfg[off], (uint16_t)off, false);
			if (ret)
				goto err;
			off = cfg[off + 1] & ~3u;
		}
	}

	if (len >= 0x104) {
		uint32_t hdr = rd32(cfg + 0x100);

		off = 0x100;
		for (steps = 0; hdr && hdr != 0xffffffff; steps++) {
			if (seen[off / 32] & (1u << (off / 4 % 8)) || steps >= MAX_EXT_CAPS) {
				if (!why[0])
					snprintf(why, whylen,
						 "extended capability list loops back to 0x%x", off);
				break;
			}
			seen[off / 32] |= (uint8_t)(1u << (off / 4 % 8));
			ret = push_cap(&caps, &n, &cap, hdr & 0xffff, (uint16_t)off, true);
			if (ret)
				goto err;
			off = (hdr >> 20) & ~3u;
			if (!off)
				break;
			if (off < 0x100 || off + 4 > len) {
				if (!why[0])
					snprintf(why, whylen,
						 "extended capability pointer 0x%x is outside "
						 "0x100-0x%zx", off, len - 1);
				break;
			}
			hdr = rd32(cfg + off);
		}
	}
	*capsp = caps;
	*countp = n;
	return 0;
err:
	free(caps);
	return ret;
}

static int load_config(struct vfiox_pci_dev *dev)
{
	struct vfiox_ctx *ctx = dev->scan->ctx;
	struct vfiox_dev_config *cfg;
	char why[160];
	int n, ret;

	if (dev->config_loaded)
		return dev->cfg ? dev->cfg->err : -ENOMEM;
	dev->config_loaded = true;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	dev->cfg = cfg;
	n = vfiox__pci_read_config(dev, cfg->data, sizeof(cfg->data));
	if (n < 0) {
		cfg->err = n;
		return n;
	}
	cfg->len = (size_t)n;
	if (cfg->len <= 64) {
		cfg->err = -EACCES;
		return cfg->err;
	}
	ret = vfiox__parse_caps(cfg->data, cfg->len, &cfg->caps, &cfg->num_caps, why, sizeof(why));
	if (ret) {
		cfg->err = ret;
		return ret;
	}
	if (why[0])
		vfiox__warn(ctx, "%s: %s; the list is cut there", dev->name, why);
	return 0;
}

static int config_error(struct vfiox_pci_dev *dev, int err)
{
	struct vfiox_ctx *ctx = dev->scan->ctx;

	if (err == -EACCES)
		return vfiox__err(ctx, err,
				  "%s: only the 64-byte header of config space is readable; "
				  "the kernel shows capabilities to root only (run as root)",
				  dev->name);
	if (err == -ENOMEM)
		return vfiox__err(ctx, err, "out of memory");
	return vfiox__err(ctx, err, "%s: cannot read config space under %s/bus/pci/devices/%s",
			  dev->name, ctx->sysfs_root, dev->name);
}

VFIOX_EXPORT int vfiox_pci_dev_caps(struct vfiox_pci_dev *dev, const struct vfiox_pci_cap **capsp,
				    size_t *countp)
{
	int ret = load_config(dev);

	if (ret)
		return config_error(dev, ret);
	*capsp = dev->cfg->caps;
	*countp = dev->cfg->num_caps;
	return 0;
}

/* Finds a capability whose body of @need bytes lies inside what was read. */
static int find_cap(struct vfiox_pci_dev *dev, uint16_t id, bool ext, size_t need,
		    const char *what, const uint8_t **body)
{
	size_t i;
	int ret = load_config(dev);

	if (ret)
		return config_error(dev, ret);
	for (i = 0; i < dev->cfg->num_caps; i++) {
		const struct vfiox_pci_cap *c = &dev->cfg->caps[i];

		if (c->id != id || c->extended != ext)
			continue;
		if (c->offset + need > dev->cfg->len)
			return vfiox__err(dev->scan->ctx, -EIO,
					  "%s: %s capability at 0x%x runs past config space",
					  dev->name, what, c->offset);
		*body = dev->cfg->data + c->offset;
		return 0;
	}
	return vfiox__err(dev->scan->ctx, -ENOENT, "%s has no %s capability", dev->name, what);
}

VFIOX_EXPORT int vfiox_pci_dev_msix(struct vfiox_pci_dev *dev, struct vfiox_msix_info *info)
{
	const uint8_t *c;
	uint16_t ctrl;
	uint32_t table, pba;
	int ret = find_cap(dev, CAP_ID_MSIX, false, 12, "MSI-X", &c);

	if (ret)
		return ret;
	ctrl = rd16(c + 2);
	table = rd32(c + 4);
	pba = rd32(c + 8);
	*info = (struct vfiox_msix_info){
		.table_size = (uint16_t)((ctrl & 0x7ff) + 1),
		.table_bir = table & 7,
		.table_offset = table & ~7u,
		.pba_bir = pba & 7,
		.pba_offset = pba & ~7u,
		.enabled = ctrl & 0x8000,
		.masked = ctrl & 0x4000,
	};
	return 0;
}

VFIOX_EXPORT int vfiox_pci_dev_msi(struct vfiox_pci_dev *dev, struct vfiox_msi_info *info)
{
	const uint8_t *c;
	uint16_t ctrl;
	int ret = find_cap(dev, CAP_ID_MSI, false, 4, "MSI", &c);

	if (ret)
		return ret;
	ctrl = rd16(c + 2);
	*info = (struct vfiox_msi_info){
		/* Multiple Message Capable is log2 of the count; 6 and 7 are reserved. */
		.vectors = (uint8_t)(1u << (((ctrl >> 1) & 7) > 5 ? 5 : (ctrl >> 1) & 7)),
		.addr64 = ctrl & 0x80,
		.per_vector_mask = ctrl & 0x100,
		.enabled = ctrl & 1,
	};
	return 0;
}

VFIOX_EXPORT int vfiox_pci_dev_pcie(struct vfiox_pci_dev *dev, struct vfiox_pcie_info *info)
{
	const uint8_t *c;
	uint16_t lnksta = 0;
	int ret = find_cap(dev, CAP_ID_EXP, false, 8, "PCI Express", &c);

	if (ret)
		return ret;
	/* The link status register exists for every port type but root complex endpoints. */
	if ((size_t)(c - dev->cfg->data) + 0x14 <= dev->cfg->len)
		lnksta = rd16(c + 0x12);
	*info = (struct vfiox_pcie_info){
		.port_type = (rd16(c + 2) >> 4) & 0xf,
		.flr = rd32(c + 4) & (1u << 28),
		.link_speed = lnksta & 0xf,
		.link_width = (lnksta >> 4) & 0x3f,
	};
	return 0;
}

VFIOX_EXPORT int vfiox_pci_dev_acs(struct vfiox_pci_dev *dev, struct vfiox_acs_info *info)
{
	const uint8_t *c;
	int ret = find_cap(dev, EXT_CAP_ID_ACS, true, 8, "ACS", &c);

	if (ret)
		return ret;
	info->cap = rd16(c + 4);
	info->ctrl = rd16(c + 6);
	return 0;
}

VFIOX_EXPORT int vfiox_pci_dev_sriov(struct vfiox_pci_dev *dev, struct vfiox_sriov_info *info)
{
	const uint8_t *c;
	int ret = find_cap(dev, EXT_CAP_ID_SRIOV, true, 0x20, "SR-IOV", &c);

	if (ret)
		return ret;
	*info = (struct vfiox_sriov_info){
		.initial_vfs = rd16(c + 0x0c),
		.total_vfs = rd16(c + 0x0e),
		.num_vfs = rd16(c + 0x10),
		.vf_offset = rd16(c + 0x14),
		.vf_stride = rd16(c + 0x16),
		.vf_device_id = rd16(c + 0x1a),
	};
	return 0;
}

VFIOX_EXPORT const char *vfiox_pci_cap_name(const struct vfiox_pci_cap *cap)
{
	static const char *const std[] = {
		[0x01] = "Power Management", [0x02] = "AGP", [0x03] = "VPD",
		[0x04] = "Slot ID", [0x05] = "MSI", [0x06] = "CompactPCI Hot Swap",
		[0x07] = "PCI-X", [0x08] = "HyperTransport", [0x09] = "Vendor Specific",
		[0x0a] = "Debug Port", [0x0b] = "CompactPCI CRC", [0x0c] = "Hot Plug",
		[0x0d] = "Bridge Subsystem ID", [0x0e] = "AGP 8x", [0x0f] = "Secure Device",
		[0x10] = "Express", [0x11] = "MSI-X", [0x12] = "SATA", [0x13] = "PCI AF",
		[0x14] = "Enhanced Allocation", [0x15] = "Flattening Portal Bridge",
	};
	static const char *const ext[] = {
		[0x01] = "AER", [0x02] = "Virtual Channel", [0x03] = "Device Serial Number",
		[0x04] = "Power Budgeting", [0x05] = "Root Complex Link",
		[0x06] = "Root Complex Internal Link", [0x07] = "Root Complex Event Collector",
		[0x08] = "MFVC", [0x09] = "Virtual Channel (MFVC)", [0x0a] = "RCRB",
		[0x0b] = "Vendor Specific", [0x0c] = "Config Access", [0x0d] = "ACS",
		[0x0e] = "ARI", [0x0f] = "ATS", [0x10] = "SR-IOV", [0x11] = "MR-IOV",
		[0x12] = "Multicast", [0x13] = "PRI", [0x15] = "Resizable BAR",
		[0x16] = "DPA", [0x17] = "TPH", [0x18] = "LTR", [0x19] = "Secondary PCIe",
		[0x1a] = "PMUX", [0x1b] = "PASID", [0x1c] = "LNR", [0x1d] = "DPC",
		[0x1e] = "L1 PM Substates", [0x1f] = "PTM", [0x20] = "M-PCIe",
		[0x21] = "FRS Queueing", [0x22] = "Readiness Time Reporting",
		[0x23] = "Designated Vendor Specific", [0x24] = "VF Resizable BAR",
		[0x25] = "Data Link Feature", [0x26] = "Physical Layer 16 GT/s",
		[0x27] = "Lane Margining", [0x28] = "Hierarchy ID", [0x29] = "NPEM",
		[0x2a] = "Physical Layer 32 GT/s", [0x2b] = "Alternate Protocol",
		[0x2c] = "SFI", [0x2e] = "DOE", [0x30] = "IDE",
	};
	const char *name = NULL;

	if (cap->extended && cap->id < ARRAY_SIZE(ext))
		name = ext[cap->id];
	else if (!cap->extended && cap->id < ARRAY_SIZE(std))
		name = std[cap->id];
	return name ? name : "unknown";
}
