// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's VFIO info replies: one bounded walker for their capability chains and
 * the decoders built on it. Everything here reads a buffer the kernel (or a test, or
 * the fuzzer) filled: every offset and length is checked against what is valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "internal.h"

#define CAP_HDR_LEN 8   /* struct vfio_info_cap_header */
#define MAX_CAPS 64     /* far beyond any kernel's chain */
#define REGION_FIXED 32 /* struct vfio_region_info */
#define IOMMU_FIXED 24  /* struct vfio_iommu_type1_info, with cap_offset */
#define IOMMU_FIXED_OLD 16
#define DEVICE_FIXED 20 /* struct vfio_device_info with cap_offset: no padding */
#define DEVICE_FIXED_OLD 16
#define PCI_VENDOR_REGION 0x80000000u /* VFIO_REGION_TYPE_PCI_VENDOR_TYPE, unsigned */

/*
 * The kernel appends capabilities after the fixed struct, each one after the previous:
 * so every offset must lie past @fixed, leave room for a header, and every next pointer
 * must point forward. That rule alone rules out loops; MAX_CAPS is a second fence.
 */
int vfiox__walk_info_caps(const uint8_t *buf, size_t len, size_t fixed, uint32_t first,
			  vfiox_cap_fn fn, void *arg, char *why, size_t whylen)
{
	uint32_t off = first;
	unsigned int n;

	for (n = 0; off; n++) {
		struct vfiox_cap_view cap;
		uint32_t next;
		int ret;

		if (n == MAX_CAPS) {
			snprintf(why, whylen, "more than %d capabilities", MAX_CAPS);
			return -EPROTO;
		}
		if (off < fixed || (size_t)off > len || len - off < CAP_HDR_LEN) {
			snprintf(why, whylen,
				 "capability offset %u outside the reply (%zu bytes, first %zu fixed)",
				 off, len, fixed);
			return -EPROTO;
		}
		next = vfiox__get32(buf + off + 4);
		if (next && (next <= off || next - off < CAP_HDR_LEN)) {
			snprintf(why, whylen, "capability at %u points %s to %u", off,
				 next <= off ? "back" : "into itself", next);
			return -EPROTO;
		}
		cap = (struct vfiox_cap_view){
			.id = vfiox__get16(buf + off),
			.version = vfiox__get16(buf + off + 2),
			.offset = off,
			.data = buf + off,
			.len = next ? (size_t)(next - off) : len - off,
		};
		if (cap.len > len - off)
			cap.len = len - off; /* a next beyond the end is caught on the next turn */
		ret = fn(arg, &cap, why, whylen);
		if (ret)
			return ret;
		off = next;
	}
	return 0;
}

static void note_unknown(uint16_t id, size_t *n, uint16_t *ids, size_t max)
{
	if (*n < max)
		ids[*n] = id;
	(*n)++;
}

static int too_short(const struct vfiox_cap_view *cap, size_t need, const char *what, char *why,
		     size_t whylen)
{
	if (cap->len >= need)
		return 0;
	snprintf(why, whylen, "%s capability at %u has %zu bytes, needs %zu", what, cap->offset,
		 cap->len, need);
	return -EPROTO;
}

/* ------------------------------------------------------------------ regions */

static int region_cap(void *arg, const struct vfiox_cap_view *cap, char *why, size_t whylen)
{
	struct vfiox_region *r = arg;
	uint32_t i, nr;
	int ret;

	switch (cap->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP:
		ret = too_short(cap, 16, "sparse-mmap", why, whylen);
		if (ret)
			return ret;
		if (r->has_sparse) {
			snprintf(why, whylen, "two sparse-mmap capabilities (second at %u)",
				 cap->offset);
			return -EPROTO;
		}
		nr = vfiox__get32(cap->data + 8);
		if (nr > (cap->len - 16) / 16) {
			snprintf(why, whylen,
				 "sparse-mmap capability at %u claims %u areas, room for %zu", cap->offset,
				 nr, (cap->len - 16) / 16);
			return -EPROTO;
		}
		r->sparse = calloc(nr ? nr : 1, sizeof(*r->sparse));
		if (!r->sparse) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		r->has_sparse = true;
		r->num_sparse = nr;
		for (i = 0; i < nr; i++) {
			uint64_t o = vfiox__get64(cap->data + 16 + 16 * i), s = vfiox__get64(cap->data + 24 + 16 * i);

			if (o > r->size || s > r->size - o) {
				snprintf(why, whylen,
					 "sparse area %u (offset 0x%llx, size 0x%llx) lies outside "
					 "the region (size 0x%llx)", i, (unsigned long long)o,
					 (unsigned long long)s, (unsigned long long)r->size);
				return -EPROTO;
			}
			r->sparse[i] = (struct vfiox_sparse_area){ .offset = o, .size = s };
		}
		return 0;
	case VFIO_REGION_INFO_CAP_TYPE:
		ret = too_short(cap, 16, "type", why, whylen);
		if (ret)
			return ret;
		r->has_type = true;
		r->type = vfiox__get32(cap->data + 8);
		r->subtype = vfiox__get32(cap->data + 12);
		return 0;
	case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
		r->msix_mappable = true;
		return 0;
	default:
		note_unknown(cap->id, &r->num_unknown_caps, r->unknown_caps,
			     ARRAY_SIZE(r->unknown_caps));
		return 0;
	}
}

int vfiox__parse_region_info(const uint8_t *buf, size_t len, struct vfiox_region *r, char *why,
			     size_t whylen)
{
	uint32_t cap_offset;
	int ret;

	memset(r, 0, sizeof(*r));
	if (len < REGION_FIXED) {
		snprintf(why, whylen, "region info reply of %zu bytes, at least %d expected", len,
			 REGION_FIXED);
		return -EPROTO;
	}
	r->flags = vfiox__get32(buf + 4);
	r->index = vfiox__get32(buf + 8);
	cap_offset = vfiox__get32(buf + 12);
	r->size = vfiox__get64(buf + 16);
	r->offset = vfiox__get64(buf + 24);
	if ((r->flags & VFIO_REGION_INFO_FLAG_CAPS) && cap_offset) {
		ret = vfiox__walk_info_caps(buf, len, REGION_FIXED, cap_offset, region_cap, r, why,
					    whylen);
		if (ret) {
			free(r->sparse);
			r->sparse = NULL;
			r->num_sparse = 0;
			return ret;
		}
	}
	r->name = vfiox__region_name(r->index, r->has_type, r->type, r->subtype);
	return 0;
}

const char *vfiox__region_name(uint32_t index, bool has_type, uint32_t type, uint32_t subtype)
{
	static const char *const fixed[] = { "BAR0", "BAR1", "BAR2", "BAR3", "BAR4",
					     "BAR5", "ROM",  "CONFIG", "VGA" };
	static __thread char other[32]; /* callers copy it before the next call */

	if (has_type) {
		if (type == (PCI_VENDOR_REGION | 0x8086u)) {
			if (subtype == VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION)
				return "IGD OpRegion";
			if (subtype == VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG)
				return "IGD host bridge config";
			if (subtype == VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG)
				return "IGD LPC config";
		}
		if (type == VFIO_REGION_TYPE_GFX && subtype == VFIO_REGION_SUBTYPE_GFX_EDID)
			return "EDID";
		if (type == 3 && subtype == 1)
			return "migration (deprecated)";
		if (type == (PCI_VENDOR_REGION | 0x10deu) && subtype == 1)
			return "NVLink2 RAM";
		if (type == (PCI_VENDOR_REGION | 0x1014u) && subtype == 1)
			return "NVLink2 ATSD";
	}
	if (!has_type && index < ARRAY_SIZE(fixed))
		return fixed[index];
	snprintf(other, sizeof(other), "region %u", index);
	return other;
}

const char *vfiox__irq_name(uint32_t index)
{
	static const char *const names[] = { "INTx", "MSI", "MSI-X", "ERR", "REQ" };

	return index < ARRAY_SIZE(names) ? names[index] : "unknown";
}

/* ------------------------------------------------------------------ IOMMU */

static int iommu_cap(void *arg, const struct vfiox_cap_view *cap, char *why, size_t whylen)
{
	struct vfiox_iommu_info *info = arg;
	uint32_t i, nr;
	int ret;

	switch (cap->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE:
		ret = too_short(cap, 16, "IOVA range", why, whylen);
		if (ret)
			return ret;
		if (info->iova_ranges) {
			snprintf(why, whylen, "two IOVA range capabilities (second at %u)",
				 cap->offset);
			return -EPROTO;
		}
		nr = vfiox__get32(cap->data + 8);
		if (nr > (cap->len - 16) / 16) {
			snprintf(why, whylen, "IOVA range capability at %u claims %u ranges, room for %zu",
				 cap->offset, nr, (cap->len - 16) / 16);
			return -EPROTO;
		}
		info->iova_ranges = calloc(nr ? nr : 1, sizeof(*info->iova_ranges));
		if (!info->iova_ranges) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		info->num_iova_ranges = nr;
		for (i = 0; i < nr; i++) {
			uint64_t s = vfiox__get64(cap->data + 16 + 16 * i), e = vfiox__get64(cap->data + 24 + 16 * i);

			if (s > e || (i && s <= info->iova_ranges[i - 1].end)) {
				snprintf(why, whylen,
					 "IOVA range %u (0x%llx-0x%llx) is empty or out of order", i,
					 (unsigned long long)s, (unsigned long long)e);
				return -EPROTO;
			}
			info->iova_ranges[i] = (struct vfiox_iova_range){ .start = s, .end = e };
		}
		return 0;
	case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION:
		ret = too_short(cap, 32, "migration", why, whylen);
		if (ret)
			return ret;
		info->migration = true;
		info->migration_flags = vfiox__get32(cap->data + 8);
		info->migration_pgsizes = vfiox__get64(cap->data + 16);
		info->max_dirty_bitmap_size = vfiox__get64(cap->data + 24);
		return 0;
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL:
		ret = too_short(cap, 12, "DMA available", why, whylen);
		if (ret)
			return ret;
		info->dma_avail = vfiox__get32(cap->data + 8);
		return 0;
	default:
		note_unknown(cap->id, &info->num_unknown_caps, info->unknown_caps,
			     ARRAY_SIZE(info->unknown_caps));
		return 0;
	}
}

int vfiox__parse_iommu_info(const uint8_t *buf, size_t len, struct vfiox_iommu_info *info,
			    char *why, size_t whylen)
{
	int ret;

	memset(info, 0, sizeof(*info));
	info->dma_avail = -1;
	if (len < IOMMU_FIXED_OLD) {
		snprintf(why, whylen, "IOMMU info reply of %zu bytes, at least %d expected", len,
			 IOMMU_FIXED_OLD);
		return -EPROTO;
	}
	info->flags = vfiox__get32(buf + 4);
	info->pgsizes = vfiox__get64(buf + 8);
	if ((info->flags & VFIO_IOMMU_INFO_CAPS) && len >= IOMMU_FIXED && vfiox__get32(buf + 16)) {
		ret = vfiox__walk_info_caps(buf, len, IOMMU_FIXED, vfiox__get32(buf + 16), iommu_cap, info,
					    why, whylen);
		if (ret) {
			free(info->iova_ranges);
			info->iova_ranges = NULL;
			info->num_iova_ranges = 0;
			return ret;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ device */

static int device_cap(void *arg, const struct vfiox_cap_view *cap, char *why, size_t whylen)
{
	struct vfiox_device_info *info = arg;

	note_unknown(cap->id, &info->num_caps, info->cap_ids, ARRAY_SIZE(info->cap_ids));
	return 0;
}

int vfiox__parse_device_info(const uint8_t *buf, size_t len, struct vfiox_device_info *info,
			     char *why, size_t whylen)
{
	memset(info, 0, sizeof(*info));
	if (len < DEVICE_FIXED_OLD) {
		snprintf(why, whylen, "device info reply of %zu bytes, at least %d expected", len,
			 DEVICE_FIXED_OLD);
		return -EPROTO;
	}
	info->flags = vfiox__get32(buf + 4);
	info->num_regions = vfiox__get32(buf + 8);
	info->num_irqs = vfiox__get32(buf + 12);
	/* The kernel appends capabilities at sizeof(struct vfio_device_info), 20. */
	if ((info->flags & VFIO_DEVICE_FLAGS_CAPS) && len >= DEVICE_FIXED && vfiox__get32(buf + 16))
		return vfiox__walk_info_caps(buf, len, DEVICE_FIXED, vfiox__get32(buf + 16), device_cap,
					     info, why, whylen);
	return 0;
}
