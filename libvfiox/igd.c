// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An IGD inspected: its registers (igd-decode.c) checked against what the host says
 * (/proc/iomem, the group's reserved regions, the driver), the Intel regions of vfio-pci
 * (drivers/vfio/pci/vfio_pci_igd.c: OpRegion, host bridge and LPC bridge config, all
 * read-only), and what QEMU needs to assign it (docs/igd-assign.txt), as findings.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <vfiox/igd.h>

#include "internal.h"
#include "host-private.h"
#include "igd-private.h"
#include "iomem.h"

#define MiB ((uint64_t)1 << 20)
/* 8 KiB of OpRegion and an extended VBT, whose header counts its size in 16 bits */
#define OPREGION_MAX ((8u << 10) + (64u << 10))
#define PCI_VENDOR_REGION (1u << 31)

struct vfiox_igd {
	struct vfiox_ctx *ctx;
	char device[VFIOX_PCI_ADDR_STRLEN];
	char *driver;
	int group;
	uint32_t class_code;
	bool boot_vga;
	bool lpc_ok; /* 00:1f.0 is an Intel ISA bridge */
	uint16_t lpc_vendor, lpc_device;
	uint32_t lpc_class;
	bool lpc_present;
	bool rom_file; /* sysfs has a rom attribute */
	struct vfiox_igd_layout layout;
	struct vfiox_igd_host host;
	struct vfiox_igd_vfio vfio;
	bool vfio_tried;
	bool have_op;
	struct vfiox_igd_opregion op;
	char op_why[160];
	uint8_t *op_buf;
	size_t op_len;
	struct vfiox_findings *f;
	int err;
	char *qemu_args;
};

static int VFIOX_PRINTF(2, 3) set_fix(struct vfiox_findings *f, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfiox__findings_vfix(f, fmt, ap);
	va_end(ap);
	return ret;
}

/* A finding about the device inspected; @fix is a plain string, or NULL when all is well. */
static void VFIOX_PRINTF(5, 6) add(struct vfiox_igd *g, const char *id, int status,
				   const char *fix, const char *fmt, ...)
{
	va_list ap;

	if (g->err)
		return;
	va_start(ap, fmt);
	g->err = vfiox__findings_vadd(g->f, id, status, g->device, fmt, ap);
	va_end(ap);
	if (!g->err && fix)
		g->err = set_fix(g->f, "%s", fix);
}

/* "64 MiB", "4 MiB", "512 KiB" */
static const char *size_str(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= MiB && !(bytes % MiB))
		snprintf(buf, len, "%" PRIu64 " MiB", bytes / MiB);
	else if (bytes >= 1024 && !(bytes % 1024))
		snprintf(buf, len, "%" PRIu64 " KiB", bytes / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
	return buf;
}

/* ------------------------------------------------------------------ reading */

static void read_config(struct vfiox_pci_dev *dev, uint8_t *buf, size_t *len)
{
	int n = vfiox__pci_read_config(dev, buf, 4096);

	if (n >= 4) {
		*len = (size_t)n;
		return;
	}
	/* Not even the header: the ids from the scan, so the family is still known. */
	memset(buf, 0, 16);
	buf[0] = (uint8_t)vfiox_pci_dev_vendor_id(dev);
	buf[1] = (uint8_t)(vfiox_pci_dev_vendor_id(dev) >> 8);
	buf[2] = (uint8_t)vfiox_pci_dev_device_id(dev);
	buf[3] = (uint8_t)(vfiox_pci_dev_device_id(dev) >> 8);
	*len = 4;
}

/* Lines "0x00000000fee00000 0x00000000feefffff msi" of the group's reserved_regions. */
int vfiox__igd_parse_resv(const char *text, struct vfiox_igd_resv *v, size_t max, size_t *n)
{
	const char *p = text;

	*n = 0;
	while (*p) {
		unsigned long long s, e;
		char type[24];
		int used = 0;
		const char *nl = strchr(p, '\n');

		if (sscanf(p, "%llx %llx %23s%n", &s, &e, type, &used) == 3 && s <= e &&
		    (!nl || p + used <= nl)) {
			if (*n < max) {
				v[*n].start = s;
				v[*n].end = e;
				snprintf(v[*n].type, sizeof(v[*n].type), "%s", type);
			}
			(*n)++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (*n > max)
		*n = max;
	return 0;
}

static void read_host(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	struct vfiox_igd_host *h = &g->host;
	struct vfiox_iomem m;
	char path[4096], *text;
	int err = 0;
	size_t i;

	h->dsm_resv = -1;
	if (g->group >= 0) {
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/reserved_regions",
			 vfiox_ctx_sysfs_root(g->ctx), g->group);
		text = vfiox__read_text(g->ctx, path, &err);
		if (text) {
			vfiox__igd_parse_resv(text, h->resv, ARRAY_SIZE(h->resv), &h->num_resv);
			free(text);
		}
	}
	if (!l->dsm_size || !l->dsm_base)
		return;
	for (i = 0; i < h->num_resv; i++)
		if (!strncmp(h->resv[i].type, "direct", 6) && h->resv[i].start <= l->dsm_base &&
		    h->resv[i].end >= l->dsm_base + l->dsm_size - 1) {
			h->dsm_resv = (int)i;
			break;
		}

	memset(&m, 0, sizeof(m));
	err = vfiox__iomem_read(g->ctx, &m);
	if (err == -EACCES || m.hidden) {
		h->iomem_hidden = true;
	} else if (!err) {
		struct vfiox_iomem_verdict v;
		uint64_t end = l->dsm_base + l->dsm_size - 1;
		const struct vfiox_iomem_entry *outer, *inner;

		h->iomem_read = true;
		vfiox__iomem_classify(&m, l->dsm_base, end, &v);
		h->dsm_in_ram = v.ram != NULL;
		if (v.top) {
			snprintf(h->dsm_top, sizeof(h->dsm_top), "%s", v.top->name);
			h->dsm_top_start = v.top->start;
			h->dsm_top_end = v.top->end;
		}
		/*
		 * The early quirk (arch/x86/kernel/early-quirks.c) reserves the DSM and names it;
		 * i915 then requests the same range, which nests inside the quirk's entry when
		 * the quirk got there first (i915_gem_stolen.c, request_smem_stolen).
		 */
		outer = vfiox__iomem_find(&m, "Graphics Stolen Memory", l->dsm_base, end, 0, NULL);
		if (outer) {
			h->stolen_reserved = true;
			inner = vfiox__iomem_find(&m, "Graphics Stolen Memory", l->dsm_base, end,
						  outer->depth + 1, outer);
			h->stolen_claimed = inner != NULL;
		}
	}
	vfiox__iomem_release(&m);
}

int vfiox__igd_region_io(struct vfiox_device *d, const struct vfiox_region *r, uint64_t off,
			 void *buf, size_t len, bool write)
{
	ssize_t n;

	if (off > r->size || len > r->size - off)
		return -EINVAL;
	if (write)
		n = vfiox_sys_pwrite(vfiox_device_fd(d), buf, len, (off_t)(r->offset + off));
	else
		n = vfiox_sys_pread(vfiox_device_fd(d), buf, len, (off_t)(r->offset + off));
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int region_read(struct vfiox_device *d, const struct vfiox_region *r, uint64_t off,
		       void *buf, size_t len)
{
	return vfiox__igd_region_io(d, r, off, buf, len, false);
}

static void read_opregion(struct vfiox_igd *g, struct vfiox_device *d, const struct vfiox_region *r)
{
	size_t len = r->size > OPREGION_MAX ? OPREGION_MAX : (size_t)r->size;
	int ret;

	g->vfio.opregion_size = r->size;
	g->vfio.opregion_flags = r->flags;
	g->op_buf = malloc(len ? len : 1);
	if (!g->op_buf) {
		g->err = -ENOMEM;
		return;
	}
	ret = region_read(d, r, 0, g->op_buf, len);
	if (ret) {
		snprintf(g->op_why, sizeof(g->op_why), "reading the OpRegion region failed: %s",
			 strerror(-ret));
		return;
	}
	g->op_len = len;
	g->have_op = vfiox_igd_opregion_decode(g->op_buf, len, &g->op, g->op_why,
					       sizeof(g->op_why)) == 0;
	if (g->have_op && g->op.problem[0] && len < r->size)
		snprintf(g->op.problem + strlen(g->op.problem),
			 sizeof(g->op.problem) - strlen(g->op.problem),
			 " (the region has %" PRIu64 " bytes, %zu were read)", r->size, len);
}

static void read_vfio(struct vfiox_igd *g)
{
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *vg = NULL;
	struct vfiox_device *d = NULL;
	struct vfiox_device_info info;
	struct vfiox_region *r;
	uint32_t i;
	int ret;

	g->vfio_tried = true;
	ret = vfiox_container_open(g->ctx, &c);
	if (!ret)
		ret = vfiox_vgroup_open(g->ctx, g->group, &vg);
	if (!ret)
		ret = vfiox_container_attach(c, vg);
	if (!ret) {
		ret = vfiox_device_open(vg, g->device, NULL, &d);
		/* vfio-pci fails the open of an IGD whose bridges or OpRegion it refuses */
		if (ret == -EINVAL)
			snprintf(g->vfio.error, sizeof(g->vfio.error), "%s; vfio-pci refuses to open "
				 "an IGD when 00:00.0 or 00:1f.0 is not an Intel host or ISA bridge "
				 "or its OpRegion is invalid (dmesg: \"Failed to setup Intel IGD "
				 "regions\")", vfiox_ctx_last_error(g->ctx));
	}
	if (!ret)
		ret = vfiox_device_info(d, &info);
	if (ret) {
		if (!g->vfio.error[0])
			snprintf(g->vfio.error, sizeof(g->vfio.error), "%s",
				 vfiox_ctx_last_error(g->ctx));
		goto out;
	}
	g->vfio.opened = true;
	for (i = 0; i < info.num_regions; i++) {
		if (vfiox_device_region(d, i, &r))
			continue;
		if (i == VFIO_PCI_ROM_REGION_INDEX)
			g->vfio.rom_size = r->size;
		if (i == VFIO_PCI_BAR0_REGION_INDEX && g->layout.dsm_at == VFIOX_IGD_DSM_BAR2) {
			uint8_t v[2];

			/* GGC's MMIO copy (i915_reg.h GGC, 0x108040), as mtl_get_gms_size reads it */
			if (!region_read(d, r, 0x108040, v, 2)) {
				g->vfio.mtl_ggc_read = true;
				g->vfio.mtl_ggc = (uint16_t)(v[0] | v[1] << 8);
			}
		}
		if (r->has_type && r->type == (PCI_VENDOR_REGION | 0x8086u)) {
			uint8_t hdr[12];

			switch (r->subtype) {
			case VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION:
				read_opregion(g, d, r);
				break;
			case VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG:
				g->vfio.host_cfg_size = r->size;
				break;
			case VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG:
				g->vfio.lpc_cfg_size = r->size;
				if (!region_read(d, r, 0, hdr, sizeof(hdr))) {
					g->vfio.lpc_vendor_id = (uint16_t)(hdr[0] | hdr[1] << 8);
					g->vfio.lpc_device_id = (uint16_t)(hdr[2] | hdr[3] << 8);
					g->vfio.lpc_class = (uint32_t)(hdr[9] | hdr[10] << 8 |
								       hdr[11] << 16);
				}
				break;
			}
		}
		vfiox_region_free(r);
	}
out:
	vfiox_device_close(d);
	vfiox_vgroup_close(vg);
	vfiox_container_close(c);
}

/* ------------------------------------------------------------------ judging */

static void judge_device(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	const char *drv = g->driver ? g->driver : "no driver";

	switch (l->kind) {
	case VFIOX_IGD_NONE:
		add(g, "igd.device", VFIOX_CHECK_INFO, NULL,
		    "%04x:%04x is not an Intel GPU: it has no stolen memory", l->vendor_id,
		    l->device_id);
		return;
	case VFIOX_IGD_DISCRETE:
		add(g, "igd.device", VFIOX_CHECK_INFO, NULL,
		    "Intel %s %04x:%04x is a discrete GPU: it has no stolen memory in host RAM "
		    "(nothing to zero, no x-igd-gms)", l->family, l->vendor_id, l->device_id);
		return;
	case VFIOX_IGD_OLD:
		add(g, "igd.device", VFIOX_CHECK_WARN,
		    "vfioctl decodes Sandy Bridge (gen6) and later",
		    "Intel %s %04x:%04x: this older generation lays out its registers "
		    "differently; they are not decoded", l->family, l->vendor_id, l->device_id);
		return;
	case VFIOX_IGD_UNKNOWN:
		add(g, "igd.device", VFIOX_CHECK_WARN,
		    "check for a newer vfioctl; until then nothing is decoded or zeroed",
		    "Intel display device %04x:%04x is of a family this vfioctl does not know "
		    "(it knows Sandy Bridge to Panther Lake); its registers are not decoded",
		    l->vendor_id, l->device_id);
		return;
	}
	add(g, "igd.device", VFIOX_CHECK_OK, NULL,
	    "Intel %s (gen%d) integrated GPU %04x:%04x, class %06x, %s%s", l->family, l->gen,
	    l->vendor_id, l->device_id, g->class_code, g->driver ? "driver " : "", drv);
}

static void judge_registers(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	char a[32], b[32];

	if (l->dsm_at == VFIOX_IGD_DSM_BAR2) {
		if (g->vfio.mtl_ggc_read) {
			uint16_t ggc = g->vfio.mtl_ggc;
			unsigned gms = ggc >> 8;
			uint64_t size = gms <= 4 ? gms * 32 * MiB :
					gms >= 0xF0 && gms <= 0xFE ? (gms - 0xF0 + 1) * 4 * MiB : 0;

			add(g, "igd.gmch", size && (ggc & 0xC0) == 0xC0 ? VFIOX_CHECK_OK :
			    VFIOX_CHECK_WARN, NULL,
			    "GGC 0x%04x (BAR0 + 0x108040): GMS 0x%02x = %s data stolen memory, GGMS %u",
			    ggc, gms, size_str(size, a, sizeof(a)), (ggc >> 6) & 3);
		}
		add(g, "igd.dsm", VFIOX_CHECK_INFO, NULL,
		    "%s and later have no BDSM in config space: the stolen memory sits behind "
		    "BAR2 (GTT stolen memory first, the data stolen memory 8 MiB in); its size is "
		    "in GGC at BAR0 + 0x108040%s", l->family,
		    g->vfio.mtl_ggc_read ? "" : ", readable through VFIO once on vfio-pci");
		return;
	}
	if (l->need_root && !l->have_gmch) {
		add(g, "igd.gmch", VFIOX_CHECK_WARN, "run as root",
		    "GMCH (0x50), BDSM and ASLS are past the first 64 bytes of config space, "
		    "which the kernel shows to root only");
		return;
	}
	if (l->have_gmch) {
		if (l->problems & VFIOX_IGD_P_GMS_RESERVED)
			add(g, "igd.gmch", VFIOX_CHECK_FAIL,
			    "check the firmware's graphics memory (DVMT pre-allocated) setting",
			    "GMCH 0x%04x: GMS 0x%02x is not a size gen%d defines", l->gmch, l->gms,
			    l->gen);
		else
			add(g, "igd.gmch", VFIOX_CHECK_OK, NULL,
			    "GMCH 0x%04x: GMS 0x%02x = %s data stolen memory, GGMS %u = %s GTT "
			    "stolen memory", l->gmch, l->gms, size_str(l->dsm_size, a, sizeof(a)),
			    l->ggms, size_str(l->gsm_size, b, sizeof(b)));
	}
	if (l->have_bdsm) {
		if (l->problems & VFIOX_IGD_P_BDSM_ZERO)
			add(g, "igd.dsm", VFIOX_CHECK_FAIL,
			    "check that the IGD is enabled in the firmware",
			    "BDSM 0x%" PRIx64 " holds no address: the firmware set up no stolen "
			    "memory", l->bdsm);
		else if (l->problems & VFIOX_IGD_P_DSM_WRAPS)
			add(g, "igd.dsm", VFIOX_CHECK_FAIL, NULL,
			    "BDSM 0x%" PRIx64 " plus %s runs past the end of the address space",
			    l->bdsm, size_str(l->dsm_size, a, sizeof(a)));
		else if (!l->dsm_size)
			add(g, "igd.dsm", VFIOX_CHECK_INFO, NULL,
			    "BDSM 0x%" PRIx64 " (%s), but GMS gives no data stolen memory",
			    l->bdsm, l->bdsm_lock ? "locked" : "not locked");
		else
			add(g, "igd.dsm", VFIOX_CHECK_OK, NULL,
			    "data stolen memory 0x%" PRIx64 "-0x%" PRIx64 " (%s), BDSM 0x%" PRIx64
			    " at 0x%s (%s)", l->dsm_base, l->dsm_base + l->dsm_size - 1,
			    size_str(l->dsm_size, a, sizeof(a)), l->bdsm,
			    l->dsm_at == VFIOX_IGD_DSM_BDSM64 ? "C0" : "5C",
			    l->bdsm_lock ? "locked" : "not locked");
	} else if (l->need_root) {
		add(g, "igd.dsm", VFIOX_CHECK_WARN, "run as root",
		    "BDSM is past the first 64 bytes of config space, which the kernel shows to "
		    "root only");
	}
	if (l->have_host && l->bgsm && l->gsm_size) {
		if (l->problems & VFIOX_IGD_P_GSM_NOT_BELOW_DSM)
			add(g, "igd.gsm", VFIOX_CHECK_WARN, NULL,
			    "GTT stolen memory at BGSM 0x%" PRIx64 " (%s) does not end at the DSM "
			    "base 0x%" PRIx64, l->bgsm, size_str(l->gsm_size, a, sizeof(a)),
			    l->dsm_base);
		else
			add(g, "igd.gsm", VFIOX_CHECK_OK, NULL,
			    "GTT stolen memory 0x%" PRIx64 "-0x%" PRIx64 " (%s), just below the "
			    "DSM; it is never written directly (QEMU: that freezes the host)",
			    l->bgsm, l->bgsm + l->gsm_size - 1,
			    size_str(l->gsm_size, a, sizeof(a)));
	}
}

static void judge_host_bridge(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;

	if (l->kind != VFIOX_IGD_INTEGRATED || l->dsm_at == VFIOX_IGD_DSM_BAR2)
		return;
	if (l->host_need_root) {
		add(g, "igd.host_bridge", VFIOX_CHECK_WARN, "run as root",
		    "the host bridge's TOLUD and BGSM are past the first 64 bytes of its config "
		    "space, which the kernel shows to root only");
		return;
	}
	if (!l->have_host) {
		add(g, "igd.host_bridge", VFIOX_CHECK_WARN, NULL,
		    "no Intel host bridge at 00:00.0 (%04x:%04x): TOLUD and BGSM unknown",
		    l->host_vendor_id, l->host_device_id);
		return;
	}
	if (l->problems & (VFIOX_IGD_P_HOST_BDSM_DIFFERS | VFIOX_IGD_P_DSM_PAST_TOLUD)) {
		add(g, "igd.host_bridge", VFIOX_CHECK_FAIL,
		    "do not trust or zero this range; compare with the firmware's memory map",
		    "host bridge %04x:%04x disagrees: %s (BDSM 0x%" PRIx64 ", TOLUD 0x%" PRIx64 ")",
		    l->host_vendor_id, l->host_device_id,
		    l->problems & VFIOX_IGD_P_HOST_BDSM_DIFFERS ?
			    "its BDSM is not the IGD's" : "the DSM runs past TOLUD",
		    l->host_bdsm, l->tolud);
		return;
	}
	add(g, "igd.host_bridge",
	    l->problems & VFIOX_IGD_P_DSM_NOT_AT_TOLUD ? VFIOX_CHECK_WARN : VFIOX_CHECK_OK, NULL,
	    "host bridge %04x:%04x: TOLUD 0x%" PRIx64 ", BDSM 0x%" PRIx64 ", BGSM 0x%" PRIx64
	    ", TSEG 0x%" PRIx64 "%s%s", l->host_vendor_id, l->host_device_id, l->tolud,
	    l->host_bdsm, l->bgsm, l->tsegmb, l->host_locks == 0xf ? " (all locked)" : "",
	    l->problems & VFIOX_IGD_P_DSM_NOT_AT_TOLUD ? "; the DSM does not end at TOLUD" : "");
}

static void judge_iomem(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	const struct vfiox_igd_host *h = &g->host;
	size_t i;

	if (!l->dsm_size || !l->dsm_base)
		return;
	if (h->iomem_hidden) {
		add(g, "igd.iomem", VFIOX_CHECK_WARN, "run as root",
		    "/proc/iomem shows its addresses to root only: the DSM cannot be checked "
		    "against the firmware's memory map");
	} else if (!h->iomem_read) {
		add(g, "igd.iomem", VFIOX_CHECK_WARN, NULL, "/proc/iomem could not be read");
	} else if (h->dsm_in_ram) {
		add(g, "igd.iomem", VFIOX_CHECK_FAIL,
		    "do not trust or zero this range: the registers disagree with the memory map",
		    "the DSM 0x%" PRIx64 "-0x%" PRIx64 " overlaps System RAM in /proc/iomem",
		    l->dsm_base, l->dsm_base + l->dsm_size - 1);
	} else if (!h->dsm_top[0]) {
		add(g, "igd.iomem", VFIOX_CHECK_FAIL,
		    "do not trust or zero this range",
		    "no /proc/iomem entry holds all of the DSM 0x%" PRIx64 "-0x%" PRIx64,
		    l->dsm_base, l->dsm_base + l->dsm_size - 1);
	} else if (strcmp(h->dsm_top, "Reserved") != 0) {
		add(g, "igd.iomem", VFIOX_CHECK_FAIL, "do not trust or zero this range",
		    "the DSM lies in \"%s\" 0x%" PRIx64 "-0x%" PRIx64 " of /proc/iomem, not in a "
		    "reserved range", h->dsm_top, h->dsm_top_start, h->dsm_top_end);
	} else {
		add(g, "igd.iomem", VFIOX_CHECK_OK, NULL,
		    "the DSM lies in \"Reserved\" 0x%" PRIx64 "-0x%" PRIx64 " of /proc/iomem, "
		    "outside System RAM", h->dsm_top_start, h->dsm_top_end);
	}
	if (h->iomem_read && !h->dsm_in_ram) {
		if (h->stolen_claimed)
			add(g, "igd.stolen", VFIOX_CHECK_WARN,
			    "unbind i915 (vfioctl bind) before the GPU or its stolen memory is "
			    "handed on",
			    "a driver (i915) holds the DSM: a nested \"Graphics Stolen Memory\" "
			    "entry in /proc/iomem");
		else
			add(g, "igd.stolen", VFIOX_CHECK_INFO, NULL,
			    h->stolen_reserved ?
				    "the kernel reserved the DSM at boot as \"Graphics Stolen "
				    "Memory\"; no driver holds it" :
				    "no \"Graphics Stolen Memory\" entry: no driver holds the DSM");
	}
	if (g->group < 0)
		return;
	if (h->dsm_resv >= 0) {
		const struct vfiox_igd_resv *r = &h->resv[h->dsm_resv];

		add(g, "igd.rmrr", VFIOX_CHECK_INFO, NULL,
		    "an RMRR holds the stolen memory: group %d reserves 0x%" PRIx64 "-0x%" PRIx64
		    " %s", g->group, r->start, r->end, r->type);
	} else {
		char list[512] = "";
		size_t used = 0;

		for (i = 0; i < h->num_resv && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s0x%" PRIx64
						 "-0x%" PRIx64 " %s", i ? ", " : "",
						 h->resv[i].start, h->resv[i].end, h->resv[i].type);
		add(g, "igd.rmrr", VFIOX_CHECK_INFO, NULL,
		    "no direct-mapped (RMRR) region of group %d holds the DSM; reserved: %s",
		    g->group, list[0] ? list : "none");
	}
}

static const char *mbox_list(uint32_t m, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ VFIOX_IGD_MBOX_ACPI, "ACPI" },       { VFIOX_IGD_MBOX_SWSCI, "SWSCI" },
		{ VFIOX_IGD_MBOX_ASLE, "ASLE" },       { VFIOX_IGD_MBOX_ASLE_EXT, "ASLE-ext" },
		{ VFIOX_IGD_MBOX_BACKLIGHT, "backlight" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if ((m & names[i].bit) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 names[i].name);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

static void judge_vfio(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	const struct vfiox_igd_vfio *v = &g->vfio;
	const struct vfiox_igd_opregion *op = &g->op;
	char a[32], mb[80];
	bool all, none;

	if (l->have_asls && (l->problems & VFIOX_IGD_P_ASLS_NONE))
		add(g, "igd.opregion", VFIOX_CHECK_WARN,
		    "the guest's driver then needs its VBT from elsewhere (a firmware file)",
		    "ASLS 0x%08x: no OpRegion, so no VBT and no x-igd-opregion", l->asls);
	else if (l->have_asls && !v->opened)
		add(g, "igd.opregion", VFIOX_CHECK_OK, NULL,
		    "OpRegion at 0x%08x (ASLS); its contents are read through VFIO on vfio-pci",
		    l->asls);

	if (!g->driver || strcmp(g->driver, "vfio-pci") != 0) {
		add(g, "igd.regions", VFIOX_CHECK_INFO,
		    "vfioctl bind DEVICE, then vfioctl igd DEVICE again",
		    "not on vfio-pci: the OpRegion, VBT and vfio-pci's IGD regions are read "
		    "through VFIO only");
		return;
	}
	if (!g->vfio_tried) {
		add(g, "igd.regions", VFIOX_CHECK_INFO, NULL,
		    g->group < 0 ? "in no IOMMU group: not opened through VFIO" :
				   "not opened through VFIO (as asked)");
		return;
	}
	if (!v->opened) {
		add(g, "igd.regions", VFIOX_CHECK_WARN, NULL, "could not open it through VFIO: %s",
		    v->error);
		return;
	}
	all = v->opregion_size && v->host_cfg_size && v->lpc_cfg_size;
	none = !v->opregion_size && !v->host_cfg_size && !v->lpc_cfg_size;
	/* vfio-pci (6.12, vfio_pci_open_device) sets them up for VGA-class Intel devices only */
	add(g, "igd.regions", all ? VFIOX_CHECK_OK : VFIOX_CHECK_WARN,
	    all ? NULL :
	    none && (g->class_code >> 8) != 0x0300 ?
		    "vfio-pci sets up the IGD regions only for a VGA-class (0x0300) device; "
		    "make the IGD the primary display in the firmware, or use a kernel whose "
		    "vfio-pci takes any display class" :
		    "vfio-pci adds the bridge regions only for an Intel host bridge at 00:00.0 "
		    "and an Intel ISA bridge at 00:1f.0, and the OpRegion only when ASLS is set",
	    "vfio-pci offers: IGD OpRegion %s, IGD host bridge config %s, IGD LPC config %s",
	    v->opregion_size ? size_str(v->opregion_size, a, sizeof(a)) : "(none)",
	    v->host_cfg_size ? "yes" : "(none)", v->lpc_cfg_size ? "yes" : "(none)");
	if (!v->opregion_size)
		return;
	if (!g->have_op) {
		add(g, "igd.opregion", VFIOX_CHECK_FAIL, NULL, "the OpRegion region is refused: %s",
		    g->op_why);
		return;
	}
	add(g, "igd.opregion", VFIOX_CHECK_OK, NULL,
	    "OpRegion %u.%u.%u, %s, mailboxes %s%s", op->ver_major, op->ver_minor, op->ver_rev,
	    size_str(op->size, a, sizeof(a)), mbox_list(op->mboxes, mb, sizeof(mb)),
	    (v->opregion_flags & VFIO_REGION_INFO_FLAG_WRITE) ? "" : " (read-only)");
	if (op->problem[0])
		add(g, "igd.vbt", VFIOX_CHECK_WARN, NULL, "no usable VBT: %s", op->problem);
	else
		add(g, "igd.vbt", VFIOX_CHECK_OK, "vfioctl igd --save-vbt FILE writes it out",
		    "VBT version %u, %u bytes, BDB version %u, %s at offset 0x%" PRIx64,
		    op->vbt_version, op->vbt_size, op->bdb_version,
		    op->vbt_at == VFIOX_IGD_VBT_MAILBOX ? "in mailbox 4" : "extended (RVDA)",
		    op->vbt_offset);
}

/*
 * QEMU (hw/vfio/igd.c, docs/igd-assign.txt): x-igd-gms is a GMS code in 32 MiB units;
 * legacy mode needs gen6 to gen9, the IGD at guest 00:02.0 of a pc (i440fx) machine, a VGA
 * class device, the LPC bridge's ids at guest 00:1f.0 and a ROM; the guest's firmware places
 * its own stolen memory, but a guest driver that keeps the host's addresses expects no RAM at
 * the host's stolen range.
 */
static void judge_qemu(struct vfiox_igd *g)
{
	const struct vfiox_igd_layout *l = &g->layout;
	char a[32], why[256] = "";
	unsigned gms32 = 0;
	bool legacy = true, only_rom;
	size_t used = 0;
	char *args = NULL;
	bool lpc;

	if (l->kind != VFIOX_IGD_INTEGRATED)
		return;
	if (l->dsm_size) {
		/* QEMU takes codes 0-0x10 before gen8 and 0-0x40 from gen8 (hw/vfio/igd.c) */
		unsigned max = l->gen < 8 ? 0x10 : 0x40;

		gms32 = (unsigned)((l->dsm_size + 32 * MiB - 1) / (32 * MiB));
		if (gms32 > max) {
			add(g, "qemu.gms", VFIOX_CHECK_WARN, "lower the firmware's pre-allocated "
			    "graphics memory (DVMT pre-allocated)",
			    "the host's %s of data stolen memory is more than x-igd-gms can give "
			    "(0x%x = %u MiB)", size_str(l->dsm_size, a, sizeof(a)), max, max * 32);
			gms32 = max;
		} else if (l->dsm_size % (32 * MiB)) {
			add(g, "qemu.gms", VFIOX_CHECK_INFO, NULL,
			    "x-igd-gms=%u (%u MiB) is the nearest QEMU can give to the host's %s "
			    "(QEMU counts 32 MiB units)", gms32, gms32 * 32,
			    size_str(l->dsm_size, a, sizeof(a)));
		} else {
			add(g, "qemu.gms", VFIOX_CHECK_OK, NULL,
			    "x-igd-gms=%u matches the host's %s of data stolen memory", gms32,
			    size_str(l->dsm_size, a, sizeof(a)));
		}
	}

#define WHY(...) (used += used < sizeof(why) ? (size_t)snprintf(why + used, sizeof(why) - used, \
							     __VA_ARGS__) : 0)
	if (l->gen < 6 || l->gen > 9)
		legacy = false, WHY("%sQEMU supports legacy mode for gen6 to gen9, this is gen%d",
				    used ? "; " : "", l->gen);
	if ((g->class_code >> 8) != 0x0300)
		legacy = false, WHY("%sits class is %06x, not VGA (0x0300)", used ? "; " : "",
				    g->class_code);
	lpc = g->vfio.lpc_cfg_size ? g->vfio.lpc_vendor_id == 0x8086 &&
					     (g->vfio.lpc_class >> 8) == 0x0601 :
				     g->lpc_ok;
	if (!lpc)
		legacy = false, WHY("%sno Intel ISA/LPC bridge at 00:1f.0 to copy", used ? "; " : "");
	only_rom = legacy && !g->vfio.rom_size && !g->rom_file;
	if (!g->vfio.rom_size && !g->rom_file)
		legacy = false, WHY("%sno option ROM", used ? "; " : "");
#undef WHY
	if (legacy)
		add(g, "qemu.legacy", VFIOX_CHECK_OK,
		    "use -machine pc (i440fx), put the IGD at 00:02.0 (addr=0x2) and no other VGA "
		    "(-vga none); QEMU copies the LPC bridge's ids to guest 00:1f.0",
		    "legacy mode is possible: gen%d, VGA class, an Intel LPC bridge at 00:1f.0, a ROM",
		    l->gen);
	else if (only_rom)
		add(g, "qemu.legacy", VFIOX_CHECK_WARN,
		    "save the VBIOS while the host still has it (vfioctl rom DEVICE > vbios.rom) and "
		    "give QEMU romfile=vbios.rom, or assign in universal passthrough mode",
		    "legacy mode is not possible yet: %s", why);
	else
		add(g, "qemu.legacy", VFIOX_CHECK_WARN,
		    "assign it in universal passthrough mode (no legacy VGA, x-igd-opregion=on, "
		    "a guest driver that needs no VBIOS)", "legacy mode is not possible: %s", why);

	if (l->dsm_base && l->dsm_size && l->dsm_base < (1ull << 32)) {
		uint64_t low = l->bgsm && l->bgsm < l->dsm_base ? l->bgsm : l->dsm_base;

		add(g, "qemu.guest_ram", VFIOX_CHECK_INFO, NULL,
		    "a guest that keeps the host's addresses must have no RAM at 0x%" PRIx64
		    "-0x%" PRIx64 ": give it at most %" PRIu64 " MiB below 4 GiB "
		    "(-machine ...,max-ram-below-4g=%" PRIu64 "M)", low,
		    l->dsm_base + l->dsm_size - 1, low / MiB, low / MiB);
	}

	if (asprintf(&args, "%s-device vfio-pci,host=%s%s%s%s%s%.0u",
		     legacy ? "-machine pc -vga none " : "", g->device,
		     legacy ? ",bus=pci.0,addr=0x2" : "",
		     g->layout.have_asls && !(l->problems & VFIOX_IGD_P_ASLS_NONE) ?
			     ",x-igd-opregion=on" : "",
		     gms32 ? ",x-igd-gms=" : "", "", gms32) < 0) {
		g->err = -ENOMEM;
		return;
	}
	g->qemu_args = args;
	add(g, "qemu.args", VFIOX_CHECK_INFO, NULL, "%s", args);
}

/* ------------------------------------------------------------------ the public side */

static int find_igd(struct vfiox_ctx *ctx, struct vfiox_scan *scan, const char *device,
		    struct vfiox_pci_dev **devp)
{
	char name[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_pci_addr a;
	int ret;

	if (device) {
		if (vfiox_pci_addr_parse(device, &a))
			return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address (expected "
					  "DDDD:BB:DD.F or BB:DD.F, as lspci -D prints)", device);
		vfiox_pci_addr_format(&a, name, sizeof(name));
		ret = vfiox_scan_find_dev(scan, name, devp);
		if (ret)
			return vfiox__err(ctx, -ENODEV, "%s: no such PCI device (see vfioctl list)",
					  name);
		return 0;
	}
	ret = vfiox_scan_find_dev(scan, "0000:00:02.0", devp);
	if (ret)
		return vfiox__err(ctx, -ENODEV, "no device at 0000:00:02.0, where Intel "
				  "integrated graphics sits: this host has none (name another "
				  "device to look at it)");
	if (vfiox_pci_dev_vendor_id(*devp) != 0x8086 || (vfiox_pci_dev_class(*devp) >> 16) != 0x03)
		return vfiox__err(ctx, -ENODEV, "0000:00:02.0 is %04x:%04x (class %06x), not an "
				  "Intel display device: this host has no integrated Intel GPU",
				  vfiox_pci_dev_vendor_id(*devp), vfiox_pci_dev_device_id(*devp),
				  vfiox_pci_dev_class(*devp));
	return 0;
}

static void look_around(struct vfiox_igd *g, struct vfiox_scan *scan, struct vfiox_pci_dev *dev)
{
	const struct vfiox_pci_addr *a = vfiox_pci_dev_addr(dev);
	struct vfiox_pci_dev *other;
	char name[VFIOX_PCI_ADDR_STRLEN], path[4096];
	struct stat st;

	snprintf(name, sizeof(name), "%04x:00:1f.0", a->domain);
	if (!vfiox_scan_find_dev(scan, name, &other)) {
		g->lpc_present = true;
		g->lpc_vendor = vfiox_pci_dev_vendor_id(other);
		g->lpc_device = vfiox_pci_dev_device_id(other);
		g->lpc_class = vfiox_pci_dev_class(other);
		g->lpc_ok = g->lpc_vendor == 0x8086 && (g->lpc_class >> 8) == 0x0601;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/rom", vfiox_ctx_sysfs_root(g->ctx),
		 g->device);
	g->rom_file = !vfiox_sys_fstatat(AT_FDCWD, path, &st, 0);
	g->boot_vga = vfiox_pci_dev_boot_vga(dev) == 1;
}

VFIOX_EXPORT int vfiox_igd_inspect(struct vfiox_ctx *ctx, const char *device, unsigned int flags,
				   struct vfiox_igd **igdp)
{
	uint8_t cfg[4096], host[4096];
	struct vfiox_pci_dev *dev, *hb;
	struct vfiox_scan *scan = NULL;
	size_t cfg_len = 0, host_len = 0;
	char hname[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_igd *g;
	int ret;

	*igdp = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	g->ctx = ctx;
	g->f = vfiox__findings_new();
	if (!g->f) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_free;
	}
	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		goto err_free;
	ret = find_igd(ctx, scan, device, &dev);
	if (ret)
		goto err_scan;
	snprintf(g->device, sizeof(g->device), "%s", vfiox_pci_dev_name(dev));
	if (vfiox_pci_dev_driver(dev) && !(g->driver = strdup(vfiox_pci_dev_driver(dev)))) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_scan;
	}
	g->group = vfiox_pci_dev_iommu_group(dev);
	g->class_code = vfiox_pci_dev_class(dev);
	read_config(dev, cfg, &cfg_len);
	snprintf(hname, sizeof(hname), "%04x:00:00.0", vfiox_pci_dev_addr(dev)->domain);
	if (!vfiox_scan_find_dev(scan, hname, &hb))
		read_config(hb, host, &host_len);
	vfiox_igd_decode(cfg, cfg_len, host_len ? host : NULL, host_len, &g->layout);
	look_around(g, scan, dev);
	vfiox_scan_free(scan);

	if (g->layout.kind == VFIOX_IGD_INTEGRATED) {
		read_host(g);
		if (!(flags & VFIOX_IGD_NO_VFIO) && g->driver && !strcmp(g->driver, "vfio-pci") &&
		    g->group >= 0)
			read_vfio(g);
	}
	judge_device(g);
	if (g->layout.kind == VFIOX_IGD_INTEGRATED) {
		judge_registers(g);
		judge_host_bridge(g);
		judge_iomem(g);
		judge_vfio(g);
		judge_qemu(g);
	}
	if (g->err) {
		ret = vfiox__err(ctx, g->err, "out of memory");
		goto err_free;
	}
	*igdp = g;
	return 0;
err_scan:
	vfiox_scan_free(scan);
err_free:
	vfiox_igd_free(g);
	return ret;
}

VFIOX_EXPORT void vfiox_igd_free(struct vfiox_igd *g)
{
	if (!g)
		return;
	vfiox_findings_free(g->f);
	free(g->driver);
	free(g->op_buf);
	free(g->qemu_args);
	free(g);
}

VFIOX_EXPORT const char *vfiox_igd_device(const struct vfiox_igd *g)
{
	return g->device;
}

VFIOX_EXPORT const char *vfiox_igd_driver(const struct vfiox_igd *g)
{
	return g->driver;
}

VFIOX_EXPORT const struct vfiox_igd_layout *vfiox_igd_layout(const struct vfiox_igd *g)
{
	return &g->layout;
}

VFIOX_EXPORT const struct vfiox_igd_host *vfiox_igd_host(const struct vfiox_igd *g)
{
	return &g->host;
}

VFIOX_EXPORT const struct vfiox_igd_vfio *vfiox_igd_vfio(const struct vfiox_igd *g)
{
	return &g->vfio;
}

VFIOX_EXPORT const struct vfiox_igd_opregion *vfiox_igd_opregion(const struct vfiox_igd *g)
{
	return g->have_op ? &g->op : NULL;
}

VFIOX_EXPORT int vfiox_igd_vbt(const struct vfiox_igd *g, const void **datap, size_t *lenp)
{
	if (!g->have_op || g->op.problem[0] || g->op.vbt_at == VFIOX_IGD_VBT_NONE ||
	    g->op.vbt_at == VFIOX_IGD_VBT_RVDA_ABS)
		return -ENOENT;
	*datap = g->op_buf + g->op.vbt_offset;
	*lenp = g->op.vbt_size;
	return 0;
}

VFIOX_EXPORT const struct vfiox_findings *vfiox_igd_findings(const struct vfiox_igd *g)
{
	return g->f;
}

VFIOX_EXPORT const char *vfiox_igd_qemu_args(const struct vfiox_igd *g)
{
	return g->qemu_args ? g->qemu_args : "";
}

int vfiox__igd_group(const struct vfiox_igd *g)
{
	return g->group;
}

/* For igd-zero.c: the host facts an inspection judged, by finding id. */
int vfiox__igd_worst(const struct vfiox_igd *g, const char **idp, const char **summaryp)
{
	size_t i, n = vfiox_findings_count(g->f);
	int worst = VFIOX_CHECK_OK;

	for (i = 0; i < n; i++) {
		int st = vfiox_findings_status(g->f, i);
		const char *id = vfiox_findings_id(g->f, i);

		/* QEMU's needs do not decide whether the memory may be cleared. */
		if (!strncmp(id, "qemu.", 5) || !strcmp(id, "igd.regions") ||
		    !strcmp(id, "igd.opregion") || !strcmp(id, "igd.vbt"))
			continue;
		if (st > worst) {
			worst = st;
			*idp = id;
			*summaryp = vfiox_findings_summary(g->f, i);
		}
	}
	return worst;
}
