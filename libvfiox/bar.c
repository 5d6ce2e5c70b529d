// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BARs: which parts to mmap and which to reach through the device fd, and accessors
 * that choose per access. Also config space and the expansion ROM through VFIO.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include "internal.h"

#define MSIX_CAP_ID 0x11
#define MAX_POINTS 64

struct vfiox_bar {
	/*
	 * First, as bar.h promises: the mapped segment of the previous access, which the
	 * accessors (and the inline ones of the header) try before anything else.
	 */
	struct vfiox_bar_window win;
	struct vfiox_device *dev;
	uint32_t index;
	uint64_t size;
	uint64_t region_offset; /* of the BAR in the device fd */
	size_t num_segs;
	struct vfiox_bar_segment *segs;
	uint8_t **ptrs;  /* per segment: the mapping, or NULL when trapped */
};

static bool in_ranges(uint64_t x, const struct vfiox_bar_hole *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x >= r[i].start && x < r[i].end)
			return true;
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Splits [0, size) at every boundary of the mappable areas and the holes, classifies each
 * piece by its first byte (the classification is constant between boundaries), and merges
 * neighbours of the same kind. Mappable areas are shrunk to whole pages; holes are
 * rounded out to whole pages, as mmap works on pages.
 */
int vfiox__bar_layout(const struct vfiox_bar_geometry *g, struct vfiox_bar_segment **segsp,
		      size_t *nsegsp)
{
	struct vfiox_bar_hole map[MAX_POINTS / 2];
	struct {
		uint64_t start, end;
		int kind;
	} holes[2];
	uint64_t pts[MAX_POINTS], page = g->page_size;
	struct vfiox_bar_segment *segs;
	size_t nmap = 0, npts = 0, nholes = 0, i, k, n = 0;

	if (!g->size || !page || (page & (page - 1)))
		return -EINVAL;
	if (g->mmappable && !(g->flags & VFIOX_BAR_NO_MMAP)) {
		if (!g->has_sparse) {
			map[nmap++] = (struct vfiox_bar_hole){ 0, g->size };
		} else {
			for (i = 0; i < g->num_sparse && nmap < ARRAY_SIZE(map); i++) {
				uint64_t s = g->sparse[i].offset, e = s + g->sparse[i].size;

				s = (s + page - 1) & ~(page - 1);
				e &= ~(page - 1);
				if (e > g->size)
					e = g->size & ~(page - 1);
				if (s < e)
					map[nmap++] = (struct vfiox_bar_hole){ s, e };
			}
		}
	}
	if (!(g->flags & VFIOX_BAR_WHOLE)) {
		for (i = 0; i < 2; i++) {
			const struct vfiox_bar_hole *h = i ? &g->pba : &g->table;
			uint64_t s, e;

			if (h->end <= h->start)
				continue;
			s = h->start & ~(page - 1);
			e = (h->end + page - 1) & ~(page - 1);
			if (s >= g->size)
				continue;
			holes[nholes].start = s;
			holes[nholes].end = e < g->size ? e : g->size;
			holes[nholes++].kind = i ? VFIOX_SEG_MSIX_PBA : VFIOX_SEG_MSIX_TABLE;
		}
	}
	pts[npts++] = 0;
	pts[npts++] = g->size;
	for (i = 0; i < nmap; i++) {
		pts[npts++] = map[i].start;
		pts[npts++] = map[i].end;
	}
	for (i = 0; i < nholes; i++) {
		pts[npts++] = holes[i].start;
		pts[npts++] = holes[i].end;
	}
	qsort(pts, npts, sizeof(pts[0]), cmp_u64);

	segs = calloc(npts, sizeof(*segs));
	if (!segs)
		return -ENOMEM;
	for (i = 0; i + 1 < npts; i++) {
		uint64_t s = pts[i], e = pts[i + 1];
		int kind = -1;

		if (s == e || s >= g->size)
			continue;
		/* The table comes first: a page it shares with the PBA counts as table. */
		for (k = 0; k < nholes && kind < 0; k++)
			if (s >= holes[k].start && s < holes[k].end)
				kind = holes[k].kind;
		if (kind >= 0)
			;
		else if (in_ranges(s, map, nmap))
			kind = VFIOX_SEG_MAPPED;
		else if (!g->mmappable || (g->flags & VFIOX_BAR_NO_MMAP))
			kind = VFIOX_SEG_NOT_MMAPPABLE;
		else
			kind = VFIOX_SEG_SPARSE_GAP;
		if (n && segs[n - 1].kind == kind && segs[n - 1].offset + segs[n - 1].size == s) {
			segs[n - 1].size += e - s;
			continue;
		}
		segs[n++] = (struct vfiox_bar_segment){ .offset = s, .size = e - s, .kind = kind };
	}
	*segsp = segs;
	*nsegsp = n;
	return 0;
}

/* The MSI-X table and PBA of this BAR, from config space read through VFIO. */
static int msix_holes(struct vfiox_device *d, uint32_t bar, struct vfiox_bar_geometry *g)
{
	uint8_t cfg[256], cap[12];
	struct vfiox_pci_cap *caps = NULL;
	size_t n = 0, i;
	char why[160];
	uint32_t table, pba, vectors;
	int ret;

	ret = vfiox_device_config_read(d, 0, cfg, sizeof(cfg));
	if (ret)
		return ret;
	ret = vfiox__parse_caps(cfg, sizeof(cfg), &caps, &n, why, sizeof(why));
	if (ret)
		return vfiox__err(d->ctx, ret, "%s: cannot walk config space: %s", d->name,
				  strerror(-ret));
	for (i = 0; i < n; i++)
		if (!caps[i].extended && caps[i].id == MSIX_CAP_ID)
			break;
	if (i == n) {
		free(caps);
		return 0; /* no MSI-X: no holes */
	}
	memcpy(cap, cfg + caps[i].offset, caps[i].offset + sizeof(cap) <= sizeof(cfg) ? sizeof(cap)
											 : 0);
	free(caps);
	vectors = (uint32_t)((cap[2] | cap[3] << 8) & 0x7ff) + 1;
	table = (uint32_t)cap[4] | (uint32_t)cap[5] << 8 | (uint32_t)cap[6] << 16 |
		(uint32_t)cap[7] << 24;
	pba = (uint32_t)cap[8] | (uint32_t)cap[9] << 8 | (uint32_t)cap[10] << 16 |
	      (uint32_t)cap[11] << 24;
	if ((table & 7) == bar)
		g->table = (struct vfiox_bar_hole){ table & ~7u, (table & ~7u) + 16ull * vectors };
	if ((pba & 7) == bar)
		g->pba = (struct vfiox_bar_hole){ pba & ~7u, (pba & ~7u) + 8ull * ((vectors + 63) / 64) };
	return 0;
}

VFIOX_EXPORT int vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
				struct vfiox_bar **bp)
{
	struct vfiox_bar_geometry g = { 0 };
	struct vfiox_region *r = NULL;
	struct vfiox_bar *b;
	size_t i;
	int ret, prot = 0;

	if (index > VFIO_PCI_BAR5_REGION_INDEX)
		return vfiox__err(d->ctx, -EINVAL, "%s: BAR%u does not exist (BARs are 0-5)", d->name,
				  index);
	ret = vfiox_device_region(d, index, &r);
	if (ret)
		return ret;
	if (!r->size) {
		vfiox_region_free(r);
		return vfiox__err(d->ctx, -ENOENT, "%s has no BAR%u", d->name, index);
	}
	g = (struct vfiox_bar_geometry){
		.size = r->size,
		.page_size = (uint64_t)vfiox_sys_page_size(),
		.mmappable = r->flags & VFIO_REGION_INFO_FLAG_MMAP,
		.has_sparse = r->has_sparse,
		.sparse = r->sparse,
		.num_sparse = r->num_sparse,
		.flags = flags,
	};
	ret = msix_holes(d, index, &g);
	if (ret)
		goto err_region;
	b = calloc(1, sizeof(*b));
	if (!b) {
		ret = vfiox__err(d->ctx, -ENOMEM, "out of memory");
		goto err_region;
	}
	b->dev = d;
	b->index = index;
	b->size = r->size;
	b->region_offset = r->offset;
	ret = vfiox__bar_layout(&g, &b->segs, &b->num_segs);
	if (ret) {
		ret = vfiox__err(d->ctx, ret, "%s: BAR%u: cannot lay out the mapping", d->name,
				 index);
		goto err_bar;
	}
	b->ptrs = calloc(b->num_segs, sizeof(*b->ptrs));
	if (!b->ptrs) {
		ret = vfiox__err(d->ctx, -ENOMEM, "out of memory");
		goto err_bar;
	}
	if (r->flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (r->flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	for (i = 0; i < b->num_segs; i++) {
		void *p;

		if (b->segs[i].kind != VFIOX_SEG_MAPPED)
			continue;
		ret = vfiox_sys_mmap(NULL, b->segs[i].size, prot, MAP_SHARED, d->fd,
				     (off_t)(r->offset + b->segs[i].offset), &p);
		if (ret) {
			ret = vfiox__err(d->ctx, ret, "%s: cannot mmap BAR%u at 0x%llx+0x%llx: %s",
					 d->name, index, (unsigned long long)b->segs[i].offset,
					 (unsigned long long)b->segs[i].size, strerror(-ret));
			goto err_bar;
		}
		b->ptrs[i] = p;
	}
	vfiox_region_free(r);
	*bp = b;
	return 0;
err_bar:
	vfiox_bar_close(b);
err_region:
	vfiox_region_free(r);
	return ret;
}

VFIOX_EXPORT void vfiox_bar_close(struct vfiox_bar *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; b->ptrs && i < b->num_segs; i++)
		if (b->ptrs[i])
			vfiox_sys_munmap(b->ptrs[i], b->segs[i].size);
	free(b->ptrs);
	free(b->segs);
	free(b);
}

VFIOX_EXPORT uint64_t vfiox_bar_size(const struct vfiox_bar *b)
{
	return b->size;
}

VFIOX_EXPORT size_t vfiox_bar_num_segments(const struct vfiox_bar *b)
{
	return b->num_segs;
}

VFIOX_EXPORT const struct vfiox_bar_segment *vfiox_bar_segment(const struct vfiox_bar *b,
								size_t idx)
{
	return idx < b->num_segs ? &b->segs[idx] : NULL;
}

/* A BAR has a handful of segments; the accessors' window covers the common case. */
static size_t find_seg(const struct vfiox_bar *b, uint64_t off)
{
	size_t i;

	for (i = 0; i < b->num_segs; i++)
		if (off >= b->segs[i].offset && off - b->segs[i].offset < b->segs[i].size)
			return i;
	return 0;
}

VFIOX_EXPORT volatile void *vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len)
{
	size_t i;

	if (offset >= b->size || len > b->size - offset)
		return NULL;
	i = find_seg(b, offset);
	if (!b->ptrs[i] || offset + len > b->segs[i].offset + b->segs[i].size)
		return NULL;
	return b->ptrs[i] + (offset - b->segs[i].offset);
}

static int check_access(struct vfiox_bar *b, uint64_t off, unsigned int width)
{
	if (off >= b->size || width > b->size - off)
		return vfiox__err(b->dev->ctx, -EINVAL, "%s: BAR%u offset 0x%llx+%u is beyond its "
				  "0x%llx bytes", b->dev->name, b->index, (unsigned long long)off,
				  width, (unsigned long long)b->size);
	if (off & (width - 1))
		return vfiox__err(b->dev->ctx, -EINVAL, "%s: BAR%u offset 0x%llx is not aligned "
				  "to %u bytes", b->dev->name, b->index, (unsigned long long)off,
				  width);
	return 0;
}

/* The trapped path: a transfer of exactly @width bytes through the device fd. */
static int trapped(struct vfiox_bar *b, uint64_t off, void *val, unsigned int width, bool wr)
{
	off_t pos = (off_t)(b->region_offset + off);
	ssize_t n = wr ? vfiox_sys_pwrite(b->dev->fd, val, width, pos)
		       : vfiox_sys_pread(b->dev->fd, val, width, pos);

	if (n == (ssize_t)width)
		return 0;
	if (n < 0)
		return vfiox__err(b->dev->ctx, (int)n, "%s: BAR%u %s at 0x%llx: %s", b->dev->name,
				  b->index, wr ? "write" : "read", (unsigned long long)off,
				  strerror((int)-n));
	return vfiox__err(b->dev->ctx, -EIO, "%s: BAR%u %s at 0x%llx moved %zd of %u bytes",
			  b->dev->name, b->index, wr ? "write" : "read", (unsigned long long)off,
			  n, width);
}

/*
 * Everything but the common case: checks, segment lookup, the trapped path, and the
 * access itself when the offset is mapped (moving the fast-path window there).
 */
static __attribute__((noinline, cold)) int access_slow(struct vfiox_bar *b, uint64_t off,
						      void *val, unsigned int width, bool wr)
{
	volatile void *p;
	size_t i;
	int ret = check_access(b, off, width);

	if (ret)
		return ret;
	i = find_seg(b, off);
	if (!b->ptrs[i])
		return trapped(b, off, val, width, wr);
	b->win.ptr = b->ptrs[i];
	b->win.start = b->segs[i].offset;
	b->win.len = b->segs[i].size;
	p = b->win.ptr + (off - b->win.start);
	switch (width) {
	case 1:
		if (wr)
			*(volatile uint8_t *)p = *(uint8_t *)val;
		else
			*(uint8_t *)val = *(volatile uint8_t *)p;
		break;
	case 2:
		if (wr)
			*(volatile uint16_t *)p = *(uint16_t *)val;
		else
			*(uint16_t *)val = *(volatile uint16_t *)p;
		break;
	case 4:
		if (wr)
			*(volatile uint32_t *)p = *(uint32_t *)val;
		else
			*(uint32_t *)val = *(volatile uint32_t *)p;
		break;
	default:
		if (wr)
			*(volatile uint64_t *)p = *(uint64_t *)val;
		else
			*(uint64_t *)val = *(volatile uint64_t *)p;
		break;
	}
	return 0;
}

/*
 * The fast path is a frameless leaf: one unsigned compare against the window of the
 * last mapped segment (it also rejects offsets below it), the alignment and room
 * checks, and the volatile access. Everything else is a tail call.
 */
#define DEFINE_ACCESSORS(bits)                                                              \
	VFIOX_EXPORT int vfiox_bar_read##bits(struct vfiox_bar *b, uint64_t off,            \
					      uint##bits##_t *val)                         \
	{                                                                                   \
		uint64_t rel = off - b->win.start;                                          \
                                                                                            \
		if (__builtin_expect(rel < b->win.len && !(off & (bits / 8 - 1)) &&         \
					     b->win.len - rel >= bits / 8, 1)) {             \
			*val = *(volatile uint##bits##_t *)(b->win.ptr + rel);              \
			return 0;                                                           \
		}                                                                           \
		return access_slow(b, off, val, bits / 8, false);                           \
	}                                                                                   \
	VFIOX_EXPORT int vfiox_bar_write##bits(struct vfiox_bar *b, uint64_t off,           \
					       uint##bits##_t val)                          \
	{                                                                                   \
		uint64_t rel = off - b->win.start;                                          \
                                                                                            \
		if (__builtin_expect(rel < b->win.len && !(off & (bits / 8 - 1)) &&         \
					     b->win.len - rel >= bits / 8, 1)) {             \
			*(volatile uint##bits##_t *)(b->win.ptr + rel) = val;               \
			return 0;                                                           \
		}                                                                           \
		return access_slow(b, off, &val, bits / 8, true);                           \
	}

DEFINE_ACCESSORS(8)
DEFINE_ACCESSORS(16)
DEFINE_ACCESSORS(32)
DEFINE_ACCESSORS(64)

/* ------------------------------------------------------------------ config space, ROM */

/*
 * Offset and size of a fixed region in the device fd. Config space is read often (every
 * BAR open, every capability lookup), so its place is asked of the kernel once.
 */
static int region_place(struct vfiox_device *d, uint32_t index, uint64_t *off, uint64_t *size)
{
	struct vfiox_region *r;
	int ret;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX && d->cfg_size) {
		*off = d->cfg_offset;
		*size = d->cfg_size;
		return 0;
	}
	ret = vfiox_device_region(d, index, &r);
	if (ret)
		return ret;
	*off = r->offset;
	*size = r->size;
	vfiox_region_free(r);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		d->cfg_offset = *off;
		d->cfg_size = *size;
	}
	return 0;
}

static int region_io(struct vfiox_device *d, uint32_t index, uint64_t off, void *buf, size_t len,
		     bool wr)
{
	const char *name = vfiox__region_name(index, false, 0, 0);
	uint64_t start, size;
	ssize_t n;
	int ret = region_place(d, index, &start, &size);

	if (ret)
		return ret;
	if (off > size || len > size - off)
		return vfiox__err(d->ctx, -EINVAL, "%s: %s range 0x%llx+%zu leaves its 0x%llx bytes",
				  d->name, name, (unsigned long long)off, len,
				  (unsigned long long)size);
	n = wr ? vfiox_sys_pwrite(d->fd, buf, len, (off_t)(start + off))
	       : vfiox_sys_pread(d->fd, buf, len, (off_t)(start + off));
	if (n < 0)
		return vfiox__err(d->ctx, (int)n, "%s: %s %s at 0x%llx: %s", d->name, name,
				  wr ? "write" : "read", (unsigned long long)off, strerror((int)-n));
	if ((size_t)n != len)
		return vfiox__err(d->ctx, -EIO, "%s: %s %s at 0x%llx moved %zd of %zu bytes", d->name,
				  name, wr ? "write" : "read", (unsigned long long)off, n, len);
	return 0;
}

VFIOX_EXPORT int vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf,
					  size_t len)
{
	return region_io(d, VFIO_PCI_CONFIG_REGION_INDEX, offset, buf, len, false);
}

VFIOX_EXPORT int vfiox_device_config_write(struct vfiox_device *d, uint32_t offset,
					   const void *buf, size_t len)
{
	return region_io(d, VFIO_PCI_CONFIG_REGION_INDEX, offset, (void *)buf, len, true);
}

VFIOX_EXPORT int vfiox_device_find_cap(struct vfiox_device *d, uint16_t id, bool extended,
				       uint16_t *offset)
{
	struct vfiox_pci_cap *caps = NULL;
	uint64_t start, size;
	uint8_t *cfg;
	size_t len, n = 0, i;
	char why[160];
	int ret = region_place(d, VFIO_PCI_CONFIG_REGION_INDEX, &start, &size);

	if (ret)
		return ret;
	len = size < 4096 ? (size_t)size : 4096;
	cfg = malloc(len ? len : 1);
	if (!cfg)
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	ret = vfiox_device_config_read(d, 0, cfg, len);
	if (!ret)
		ret = vfiox__parse_caps(cfg, len, &caps, &n, why, sizeof(why));
	free(cfg);
	if (ret)
		return ret == -EINVAL ? vfiox__err(d->ctx, -EIO, "%s: config space too short",
						   d->name) : ret;
	ret = vfiox__err(d->ctx, -ENOENT, "%s has no %s capability 0x%x", d->name,
			 extended ? "extended" : "standard", id);
	for (i = 0; i < n; i++)
		if (caps[i].id == id && caps[i].extended == extended) {
			*offset = caps[i].offset;
			ret = 0;
			break;
		}
	free(caps);
	return ret;
}

VFIOX_EXPORT int vfiox_device_read_rom(struct vfiox_device *d, void **bufp, size_t *lenp)
{
	uint64_t start, size;
	size_t len;
	void *buf;
	int ret = region_place(d, VFIO_PCI_ROM_REGION_INDEX, &start, &size);

	if (ret)
		return ret;
	len = (size_t)size;
	if (!len)
		return vfiox__err(d->ctx, -ENOENT, "%s has no expansion ROM", d->name);
	buf = malloc(len);
	if (!buf)
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	ret = region_io(d, VFIO_PCI_ROM_REGION_INDEX, 0, buf, len, false);
	if (ret) {
		free(buf);
		return ret;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}
