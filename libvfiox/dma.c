// SPDX-License-Identifier: LGPL-2.1-or-later
/* DMA mapping through the type1 IOMMU: tracking, merging, the kernel's limits checked first. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/vfio.h>

#include "internal.h"
#include "iova.h"

/*
 * A range of IOVA backed by process memory. The same shape serves twice: the mappings as
 * the caller made them, and the kernel's entries (each a run of merged mappings). Both
 * sets are AVL trees ordered by IOVA, threaded through the ranges themselves: members
 * never overlap, so a lookup with any range finds a member that overlaps it, and no
 * insert needs memory of its own (the map path stays cheap next to a hugepage pin).
 */
struct dma_range {
	uint64_t iova;
	uint64_t size;
	uint64_t vaddr;
	unsigned int flags;
	bool pending; /* a mapping of the open batch: has its IOVA, not yet in the kernel */
	bool fixed;   /* the caller chose the IOVA (reserved, not allocated) */
	bool unpinned; /* PFNMAP memory (/dev/mem): type1 neither pins nor charges it */
	/*
	 * An entry that is exactly one mapping lives in the second slot of that mapping's
	 * allocation (mappings are allocated two ranges at a time): freed with the mapping.
	 */
	bool embedded;
	struct dma_range *left, *right;
	int height;
};

struct vfiox_dma_state {
	struct vfiox_iova_space *space;
	uint64_t page;    /* smallest IOMMU page size */
	uint64_t ceiling; /* last usable IOVA + 1, or 0 when the ranges reach 2^64 */
	struct dma_range *maps; /* the caller's mappings */
	struct dma_range *ents; /* the kernel's entries */
	size_t num_maps, num_ents, num_pending;
	int64_t avail; /* entries the kernel still allows, -1 unknown */
	uint64_t mapped;
	uint64_t unpinned; /* the part of mapped that RLIMIT_MEMLOCK is not charged for */
	bool batch;
	bool cap_ipc_lock;
	/*
	 * In a batch, a mapping whose memory continues the last one gets the IOVA right after
	 * it, so that the two can become one entry.
	 */
	struct dma_range *last_pending;
};

/* ------------------------------------------------------------------ the two sets */

static int rt_height(const struct dma_range *n)
{
	return n ? n->height : 0;
}

static void rt_fix(struct dma_range *n)
{
	int l = rt_height(n->left), r = rt_height(n->right);

	n->height = (l > r ? l : r) + 1;
}

static struct dma_range *rt_rotate(struct dma_range *n, bool to_left)
{
	struct dma_range *p = to_left ? n->right : n->left;

	if (to_left) {
		n->right = p->left;
		p->left = n;
	} else {
		n->left = p->right;
		p->right = n;
	}
	rt_fix(n);
	rt_fix(p);
	return p;
}

static struct dma_range *rt_balance(struct dma_range *n)
{
	int b;

	rt_fix(n);
	b = rt_height(n->left) - rt_height(n->right);
	if (b > 1) {
		if (rt_height(n->left->left) < rt_height(n->left->right))
			n->left = rt_rotate(n->left, true);
		return rt_rotate(n, false);
	}
	if (b < -1) {
		if (rt_height(n->right->right) < rt_height(n->right->left))
			n->right = rt_rotate(n->right, false);
		return rt_rotate(n, true);
	}
	return n;
}

/* Inserts @x, which overlaps no member (the callers make sure). Depth is logarithmic. */
static struct dma_range *rt_insert(struct dma_range *n, struct dma_range *x)
{
	int h;

	if (!n) {
		x->left = x->right = NULL;
		x->height = 1;
		return x;
	}
	/* A subtree that kept its height leaves everything above it as it was. */
	if (x->iova < n->iova) {
		h = rt_height(n->left);
		n->left = rt_insert(n->left, x);
		if (rt_height(n->left) == h)
			return n;
	} else {
		h = rt_height(n->right);
		n->right = rt_insert(n->right, x);
		if (rt_height(n->right) == h)
			return n;
	}
	return rt_balance(n);
}

static struct dma_range *rt_take_min(struct dma_range *n, struct dma_range **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = rt_take_min(n->left, min);
	return rt_balance(n);
}

/* Removes member @x (found by its IOVA); the range itself is left to the caller. */
static struct dma_range *rt_remove(struct dma_range *n, const struct dma_range *x)
{
	struct dma_range *min;
	int h;

	if (!n)
		return NULL;
	if (x->iova < n->iova) {
		h = rt_height(n->left);
		n->left = rt_remove(n->left, x);
		if (rt_height(n->left) == h)
			return n;
	} else if (x->iova > n->iova) {
		h = rt_height(n->right);
		n->right = rt_remove(n->right, x);
		if (rt_height(n->right) == h)
			return n;
	} else {
		if (!n->left || !n->right)
			return n->left ? n->left : n->right;
		n->right = rt_take_min(n->right, &min);
		min->left = n->left;
		min->right = n->right;
		n = min;
	}
	return rt_balance(n);
}

/* A member overlapping [iova, iova + size), or NULL. */
static struct dma_range *range_find(struct dma_range *n, uint64_t iova, uint64_t size)
{
	while (n) {
		if (n->iova + n->size <= iova)
			n = n->right;
		else if (n->iova >= iova + size)
			n = n->left;
		else
			return n;
	}
	return NULL;
}

static void rt_free_all(struct dma_range *n)
{
	while (n) {
		struct dma_range *right = n->right;

		rt_free_all(n->left);
		if (!n->embedded)
			free(n);
		n = right;
	}
}

static void fmt_size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	if (u == 0 && n >= 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 " bytes (%.1f MiB)", n, n / 1048576.0);
	else
		snprintf(buf, len, "%" PRIu64 " %s", n, units[u]);
}

/* The value after "@key:" on a line of its own in @text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return line + klen + 1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

int vfiox__parse_proc_status(const char *text, uint64_t *locked, bool *cap)
{
	unsigned long long v;
	const char *f;
	char *end;

	if (locked) {
		f = status_field(text, "VmLck");
		if (!f)
			return -EPROTO;
		errno = 0;
		v = strtoull(f, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno || end == f || strncmp(end, "kB", 2) || v > UINT64_MAX / 1024)
			return -EPROTO;
		*locked = (uint64_t)v * 1024;
	}
	if (cap) {
		f = status_field(text, "CapEff");
		if (!f)
			return -EPROTO;
		errno = 0;
		v = strtoull(f, &end, 16);
		if (errno || end == f || (*end && *end != '\n'))
			return -EPROTO;
		*cap = v & (1ull << 14);
	}
	return 0;
}

/* /proc/self/status: VmLck in bytes and whether CapEff holds CAP_IPC_LOCK (bit 14). */
static int read_status(struct vfiox_ctx *ctx, uint64_t *locked, bool *cap)
{
	char path[4096], buf[8192];
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/self/status", ctx->proc_root);
	n = vfiox__read_attr(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return vfiox__err(ctx, (int)n, "cannot read %s: %s", path, strerror((int)-n));
	ret = vfiox__parse_proc_status(buf, locked, cap);
	if (ret < 0)
		return vfiox__err(ctx, ret, "%s: its VmLck or CapEff line is missing or not a number",
				  path);
	return 0;
}

VFIOX_EXPORT int vfiox_memlock_info(struct vfiox_ctx *ctx, uint64_t *limit, uint64_t *locked,
				    bool *cap_ipc_lock)
{
	struct rlimit rl;
	int ret;

	ret = vfiox_sys_getrlimit(RLIMIT_MEMLOCK, &rl);
	if (ret < 0)
		return vfiox__err(ctx, ret, "getrlimit(RLIMIT_MEMLOCK): %s", strerror(-ret));
	*limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	return read_status(ctx, locked, cap_ipc_lock);
}

struct first_free {
	uint64_t last;
};

static int note_end(void *arg, const struct vfiox_iova_range *r)
{
	((struct first_free *)arg)->last = r->end;
	return 0;
}

static int dma_state(struct vfiox_container *c, struct vfiox_dma_state **sp)
{
	static const struct vfiox_iova_range everything = { 0, UINT64_MAX };
	struct vfiox_iommu_info *info = NULL;
	struct vfiox_dma_state *s;
	struct first_free ff = { 0 };
	int ret;

	if (c->dma) {
		*sp = c->dma;
		return 0;
	}
	if (!c->ops->ready(c))
		return vfiox__err(c->ctx, -EINVAL, "%s",
				  c->ops->backend == VFIOX_BACKEND_IOMMUFD
					  ? "the IOAS has no device yet: attach one first (its "
					    "reserved regions decide the usable IOVA ranges)"
					  : "the container has no IOMMU model yet: attach a group first");
	ret = vfiox_container_iommu_info(c, &info);
	if (ret < 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto err_info;
	}
	/* The kernel requires vaddr, IOVA and size aligned to its smallest page size. */
	s->page = info->pgsizes ? info->pgsizes & -info->pgsizes : (uint64_t)vfiox_sys_page_size();
	s->avail = info->dma_avail;
	/* Kernels before 5.4 do not report ranges: then everything is usable. */
	ret = info->iova_ranges ? vfiox__iova_new(info->iova_ranges, info->num_iova_ranges, s->page,
						  &s->space)
				: vfiox__iova_new(&everything, 1, s->page, &s->space);
	if (ret < 0) {
		vfiox__err(c->ctx, ret, "cannot build the IOVA space: %s", strerror(-ret));
		goto err_state;
	}
	vfiox__iova_for_each_free(s->space, note_end, &ff);
	s->ceiling = ff.last + 1;
	/* Without /proc the preflight is skipped; the kernel's ENOMEM still gets its words. */
	if (read_status(c->ctx, NULL, &s->cap_ipc_lock) < 0)
		vfiox__dbg(c->ctx, "memory lock preflight off: %s", c->ctx->last_error);
	vfiox_iommu_info_free(info);
	c->dma = s;
	*sp = s;
	return 0;
err_state:
	free(s);
err_info:
	vfiox_iommu_info_free(info);
	return ret;
}

void vfiox__dma_release(struct vfiox_container *c)
{
	struct vfiox_dma_state *s = c->dma;

	if (!s)
		return;
	/* Entries first: embedded ones live inside the mappings' allocations. */
	rt_free_all(s->ents);
	rt_free_all(s->maps);
	vfiox__iova_free_space(s->space);
	free(s);
	c->dma = NULL;
}

static int check_entries(struct vfiox_container *c, size_t want, uint64_t size, uint64_t iova)
{
	struct vfiox_dma_state *s = c->dma;
	char sz[64];

	if (s->avail < 0 || (uint64_t)s->avail >= want)
		return 0;
	fmt_size(sz, sizeof(sz), size);
	return vfiox__err(c->ctx, -ENOSPC,
			  "cannot map %s at IOVA 0x%" PRIx64 ": it needs %zu DMA mapping entr%s and "
			  "the container has %" PRId64 " left (this process holds %zu); raise "
			  "the limit in /sys/module/vfio_iommu_type1/parameters/dma_entry_limit "
			  "(containers opened afterwards) or with 'options vfio_iommu_type1 "
			  "dma_entry_limit=N' in /etc/modprobe.d, or map larger contiguous ranges "
			  "(a batch merges adjacent mappings into one entry)",
			  sz, iova, want, want == 1 ? "y" : "ies", s->avail, s->num_ents);
}

static int memlock_error(struct vfiox_container *c, int err, uint64_t size, uint64_t limit,
			 uint64_t locked)
{
	char sz[64], lim[64], lck[64];

	fmt_size(sz, sizeof(sz), size);
	fmt_size(lim, sizeof(lim), limit);
	fmt_size(lck, sizeof(lck), locked);
	return vfiox__err(c->ctx, err,
			  "cannot pin %s for DMA: %s are locked already%s and the memory lock "
			  "limit (RLIMIT_MEMLOCK) is %s; raise it with 'ulimit -l' (in KiB), "
			  "LimitMEMLOCK= in the systemd unit, or a memlock line in "
			  "/etc/security/limits.conf, or run with CAP_IPC_LOCK",
			  sz, lck,
			  c->ops->backend == VFIOX_BACKEND_IOMMUFD
				  ? " (iommufd charges every process of this user together)"
				  : "",
			  lim);
}

/*
 * The kernel charges every pinned page to RLIMIT_MEMLOCK (VmLck) unless the process has
 * CAP_IPC_LOCK. What this container pinned is known; other pins (mlock, other containers)
 * are read from /proc only when the known part does not settle it.
 */
static int check_memlock(struct vfiox_container *c, uint64_t size)
{
	struct vfiox_dma_state *s = c->dma;
	uint64_t limit, locked;
	struct rlimit rl;
	int ret;

	if (s->cap_ipc_lock)
		return 0;
	ret = vfiox_sys_getrlimit(RLIMIT_MEMLOCK, &rl);
	if (ret < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	limit = rl.rlim_cur;
	if (s->mapped - s->unpinned <= limit && size <= limit - (s->mapped - s->unpinned))
		return 0;
	/* iommufd charges the user, not VmLck: what this container pinned is what is known. */
	if (c->ops->backend == VFIOX_BACKEND_IOMMUFD)
		return memlock_error(c, -ENOMEM, size, limit, s->mapped - s->unpinned);
	ret = read_status(c->ctx, &locked, NULL);
	if (ret < 0)
		return 0; /* the kernel will decide; its ENOMEM gets the message then */
	if (locked <= limit && size <= limit - locked)
		return 0;
	return memlock_error(c, -ENOMEM, size, limit, locked);
}

/* After the kernel said no: the library's words for what happened. */
static int map_failed(struct vfiox_container *c, int err, uint64_t iova, uint64_t size,
		      bool pinned)
{
	struct vfiox_dma_state *s = c->dma;
	struct vfiox_iommu_info *info;
	uint64_t limit = 0, locked = 0;
	bool cap = false;
	char sz[64];

	/* The kernel's no to the budget: ask again how much is left (someone else spent it). */
	if (err == -ENOSPC && vfiox_container_iommu_info(c, &info) == 0) {
		s->avail = info->dma_avail;
		vfiox_iommu_info_free(info);
		if (s->avail >= 0 && check_entries(c, (size_t)s->avail + 1, size, iova) < 0)
			return err;
	}
	/* Asked now, not at setup: the process may have dropped CAP_IPC_LOCK since. */
	if (err == -ENOMEM && pinned && vfiox_memlock_info(c->ctx, &limit, &locked, &cap) == 0) {
		s->cap_ipc_lock = cap;
		if (!cap && limit != UINT64_MAX)
			return memlock_error(c, err, size, limit, locked);
	}
	fmt_size(sz, sizeof(sz), size);
	if (err == -EEXIST)
		return vfiox__err(c->ctx, err,
				  "cannot map %s at IOVA 0x%" PRIx64 ": the kernel has a mapping "
				  "there already (made by another user of the container)",
				  sz, iova);
	if (err == -EFAULT && c->ops->backend == VFIOX_BACKEND_IOMMUFD)
		return vfiox__err(c->ctx, err,
				  "IOMMU_IOAS_MAP of %s at IOVA 0x%" PRIx64 ": the kernel cannot pin "
				  "that memory (iommufd maps only ordinary process memory, not "
				  "device or /dev/mem mappings: use the type1 backend for those)",
				  sz, iova);
	return vfiox__err(c->ctx, err, "%s of %s at IOVA 0x%" PRIx64 ": %s", c->ops->map_call, sz,
			  iova, strerror(-err));
}

static int kernel_map(struct vfiox_container *c, const struct dma_range *r)
{
	return c->ops->map(c, r->vaddr, r->iova, r->size, r->flags);
}

static int kernel_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size)
{
	int ret = c->ops->unmap(c, iova, size);

	if (ret < 0)
		return vfiox__err(c->ctx, ret, "%s at IOVA 0x%" PRIx64 ": %s", c->ops->unmap_call,
				  iova, strerror(-ret));
	return 0;
}

/*
 * Adds a kernel entry for @r (copied) after the kernel mapped it: into @slot when given
 * (the spare half of a mapping's allocation), else into memory of its own.
 */
static int add_entry(struct vfiox_dma_state *s, const struct dma_range *r, struct dma_range *slot)
{
	struct dma_range *e = slot ? slot : malloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	*e = *r;
	e->pending = false;
	e->embedded = slot != NULL;
	s->ents = rt_insert(s->ents, e);
	s->num_ents++;
	s->mapped += e->size;
	if (e->unpinned)
		s->unpinned += e->size;
	if (s->avail > 0)
		s->avail--;
	return 0;
}

static void drop_entry(struct vfiox_dma_state *s, struct dma_range *e)
{
	s->ents = rt_remove(s->ents, e);
	s->num_ents--;
	s->mapped -= e->size;
	if (e->unpinned)
		s->unpinned -= e->size;
	if (s->avail >= 0)
		s->avail++;
	if (!e->embedded)
		free(e);
}

static int map_entry_in(struct vfiox_container *c, const struct dma_range *r,
			struct dma_range *slot)
{
	int ret = kernel_map(c, r);

	if (ret < 0)
		return map_failed(c, ret, r->iova, r->size, !r->unpinned);
	ret = add_entry(c->dma, r, slot);
	if (ret < 0) {
		kernel_unmap(c, r->iova, r->size);
		return vfiox__err(c->ctx, ret, "out of memory tracking a DMA mapping");
	}
	return 0;
}

static int map_entry(struct vfiox_container *c, const struct dma_range *r)
{
	return map_entry_in(c, r, NULL);
}

static void give_back(struct vfiox_dma_state *s, struct dma_range *m)
{
	vfiox__iova_release(s->space, m->iova, m->size);
	s->maps = rt_remove(s->maps, m);
	s->num_maps--;
	if (s->last_pending == m)
		s->last_pending = NULL;
	if (m->pending)
		s->num_pending--;
	free(m);
}

static int check_args(struct vfiox_container *c, struct vfiox_dma_state *s, void *vaddr,
		      uint64_t size, unsigned int flags, uint64_t limit, const uint64_t *iova)
{
	uint64_t mask = s->page - 1;
	char pg[32];

	/* Only the messages need the page size in words; the good path stays cheap. */
	if (!iova || (size & mask) || ((uintptr_t)vaddr & mask) ||
	    ((flags & VFIOX_DMA_FIXED) && (*iova & mask)))
		fmt_size(pg, sizeof(pg), s->page);
	else
		pg[0] = '\0';
	if (!iova)
		return vfiox__err(c->ctx, -EINVAL, "no place given for the IOVA");
	if (!(flags & (VFIOX_DMA_READ | VFIOX_DMA_WRITE)) ||
	    (flags & ~(VFIOX_DMA_READ | VFIOX_DMA_WRITE | VFIOX_DMA_FIXED)))
		return vfiox__err(c->ctx, -EINVAL,
				  "DMA flags 0x%x: give VFIOX_DMA_READ and/or VFIOX_DMA_WRITE", flags);
	if (!size || (size & mask))
		return vfiox__err(c->ctx, -EINVAL,
				  "DMA size 0x%" PRIx64 " is not a non-zero multiple of the IOMMU "
				  "page size (%s)", size, pg);
	if ((uintptr_t)vaddr & mask)
		return vfiox__err(c->ctx, -EINVAL,
				  "address %p is not aligned to the IOMMU page size (%s): use "
				  "vfiox_dma_buf_new() or mmap() for DMA memory", vaddr, pg);
	if ((uint64_t)(uintptr_t)vaddr + size - 1 < (uint64_t)(uintptr_t)vaddr)
		return vfiox__err(c->ctx, -EINVAL, "the memory range at %p wraps", vaddr);
	if (flags & VFIOX_DMA_FIXED) {
		if (*iova & mask)
			return vfiox__err(c->ctx, -EINVAL,
					  "IOVA 0x%" PRIx64 " is not aligned to the IOMMU page size (%s)",
					  *iova, pg);
		if (*iova + size - 1 < *iova)
			return vfiox__err(c->ctx, -EINVAL,
					  "IOVA range at 0x%" PRIx64 " of 0x%" PRIx64 " bytes wraps",
					  *iova, size);
		if (limit && *iova + size > limit)
			return vfiox__err(c->ctx, -EINVAL,
					  "IOVA range 0x%" PRIx64 "-0x%" PRIx64 " reaches beyond the "
					  "limit 0x%" PRIx64 " (the device's DMA mask)",
					  *iova, *iova + size - 1, limit);
	}
	return 0;
}

/* Says why a fixed range could not be reserved: a mapping there, or not usable IOVA. */
static int fixed_failed(struct vfiox_container *c, uint64_t iova, uint64_t size, int err)
{
	struct dma_range *m;

	if (err != -EEXIST)
		return vfiox__err(c->ctx, err, "cannot reserve IOVA 0x%" PRIx64 ": %s", iova,
				  strerror(-err));
	m = range_find(c->dma->maps, iova, size);
	if (m)
		return vfiox__err(c->ctx, err,
				  "IOVA range 0x%" PRIx64 "-0x%" PRIx64 " overlaps the mapping at "
				  "0x%" PRIx64 "-0x%" PRIx64 ": unmap it first or let the library "
				  "choose the IOVA",
				  iova, iova + size - 1, m->iova, m->iova + m->size - 1);
	return vfiox__err(c->ctx, err,
			  "IOVA range 0x%" PRIx64 "-0x%" PRIx64 " is not all usable: it overlaps a "
			  "range the IOMMU reserves (such as the MSI window) or lies beyond the "
			  "aperture; 'vfioctl show' lists the usable ranges",
			  iova, iova + size - 1);
}

static int dma_map(struct vfiox_container *c, void *vaddr, uint64_t size, unsigned int flags,
		   uint64_t limit, uint64_t *iova, bool unpinned)
{
	struct vfiox_dma_state *s;
	struct dma_range *m, *prev;
	char sz[64];
	int ret;

	ret = dma_state(c, &s);
	if (ret < 0)
		return ret;
	ret = check_args(c, s, vaddr, size, flags, limit, iova);
	if (ret < 0)
		return ret;
	if (!s->batch) {
		ret = check_entries(c, 1, size, flags & VFIOX_DMA_FIXED ? *iova : 0);
		if (ret < 0)
			return ret;
		ret = unpinned ? 0 : check_memlock(c, size);
		if (ret < 0)
			return ret;
	}
	m = calloc(2, sizeof(*m)); /* m[1]: room for its own kernel entry */
	if (!m)
		return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	m->size = size;
	m->vaddr = (uintptr_t)vaddr;
	m->flags = flags & (VFIOX_DMA_READ | VFIOX_DMA_WRITE);
	m->fixed = flags & VFIOX_DMA_FIXED;
	m->unpinned = unpinned;
	m->pending = s->batch;
	if (m->fixed) {
		m->iova = *iova;
		ret = vfiox__iova_reserve(s->space, m->iova, size);
		if (ret < 0) {
			ret = fixed_failed(c, m->iova, size, ret);
			goto err_free;
		}
	} else {
		ret = -ENOSPC;
		prev = s->batch ? s->last_pending : NULL;
		if (prev && prev->vaddr + prev->size == m->vaddr && prev->flags == m->flags &&
		    prev->unpinned == m->unpinned && (!limit || prev->iova + prev->size + size <= limit)) {
			m->iova = prev->iova + prev->size;
			ret = vfiox__iova_reserve(s->space, m->iova, size);
		}
		if (ret < 0)
			ret = vfiox__iova_alloc(s->space, size, 0, limit, &m->iova);
		if (ret < 0) {
			fmt_size(sz, sizeof(sz), size);
			if (ret == -ENOSPC && limit)
				vfiox__err(c->ctx, ret,
					   "no free IOVA range of %s below 0x%" PRIx64 " (the device's "
					   "DMA mask): unmap something or map less",
					   sz, limit);
			else
				vfiox__err(c->ctx, ret, "no free IOVA range of %s: %s", sz,
					   strerror(-ret));
			goto err_free;
		}
	}
	s->maps = rt_insert(s->maps, m);
	s->num_maps++;
	if (s->batch) {
		s->num_pending++;
		s->last_pending = m;
		*iova = m->iova;
		return 0;
	}
	ret = map_entry_in(c, m, m + 1);
	if (ret < 0) {
		give_back(s, m);
		return ret;
	}
	*iova = m->iova;
	return 0;
err_free:
	free(m);
	return ret;
}

VFIOX_EXPORT int vfiox_dma_map(struct vfiox_container *c, void *vaddr, uint64_t size,
			       unsigned int flags, uint64_t limit, uint64_t *iova)
{
	return dma_map(c, vaddr, size, flags, limit, iova, false);
}

int vfiox__dma_map_unpinned(struct vfiox_container *c, void *vaddr, uint64_t size,
			    unsigned int flags, uint64_t limit, uint64_t *iova)
{
	/* iommufd pins with pin_user_pages(), which a VM_PFNMAP mapping has none of. */
	if (c->ops->backend == VFIOX_BACKEND_IOMMUFD)
		return vfiox__err(c->ctx, -EOPNOTSUPP,
				  "iommufd cannot map physical memory mapped from /dev/mem (it pins "
				  "only ordinary process memory): open the device over the type1 "
				  "backend for this");
	/* Its caller owns the vaddr and must know at once whether the kernel mapped it. */
	if (c->dma && c->dma->batch)
		return vfiox__err(c->ctx, -EBUSY,
				  "a DMA batch is open: end it before mapping a physical range");
	return dma_map(c, vaddr, size, flags, limit, iova, true);
}

VFIOX_EXPORT int vfiox_dma_batch_begin(struct vfiox_container *c)
{
	struct vfiox_dma_state *s;
	int ret = dma_state(c, &s);

	if (ret < 0)
		return ret;
	if (s->batch)
		return vfiox__err(c->ctx, -EBUSY, "a DMA batch is open already");
	s->batch = true;
	s->last_pending = NULL;
	return 0;
}

struct collect {
	struct dma_range **v;
	size_t n, cap;
	bool pending_only;
	int err;
};

static void collect_walk(struct dma_range *n, struct collect *col)
{
	struct dma_range **v;

	for (; n && !col->err; n = n->right) {
		collect_walk(n->left, col);
		if (col->err || (col->pending_only && !n->pending))
			continue;
		if (col->n == col->cap) {
			col->cap = col->cap ? col->cap * 2 : 64;
			v = realloc(col->v, col->cap * sizeof(*v));
			if (!v) {
				col->err = -ENOMEM;
				return;
			}
			col->v = v;
		}
		col->v[col->n++] = n;
	}
}

/* The members of @root in IOVA order. */
static int collect(struct dma_range *root, bool pending_only, struct collect *col)
{
	*col = (struct collect){ .pending_only = pending_only };
	collect_walk(root, col);
	if (col->err) {
		free(col->v);
		col->v = NULL;
	}
	return col->err;
}

static bool joins(const struct dma_range *a, const struct dma_range *b)
{
	return a->iova + a->size == b->iova && a->vaddr + a->size == b->vaddr &&
	       a->flags == b->flags && a->unpinned == b->unpinned;
}

VFIOX_EXPORT int vfiox_dma_batch_end(struct vfiox_container *c)
{
	struct vfiox_dma_state *s = c->dma;
	struct collect col;
	struct dma_range run;
	size_t i, j, runs = 0, done = 0;
	uint64_t total = 0, pinned = 0;
	int ret;

	if (!s || !s->batch)
		return vfiox__err(c->ctx, -EINVAL, "no DMA batch is open");
	s->batch = false;
	s->last_pending = NULL;
	ret = collect(s->maps, true, &col);
	if (ret < 0) {
		vfiox__err(c->ctx, ret, "out of memory");
		goto undo;
	}
	for (i = 0; i < col.n; i++) {
		total += col.v[i]->size;
		if (!col.v[i]->unpinned)
			pinned += col.v[i]->size;
		if (i == 0 || !joins(col.v[i - 1], col.v[i]))
			runs++;
	}
	ret = check_entries(c, runs, total, col.n ? col.v[0]->iova : 0);
	if (ret == 0)
		ret = check_memlock(c, pinned);
	for (i = 0; ret == 0 && i < col.n; i = j) {
		run = *col.v[i];
		for (j = i + 1; j < col.n && joins(col.v[j - 1], col.v[j]); j++)
			run.size += col.v[j]->size;
		ret = map_entry(c, &run);
		if (ret == 0)
			done = j;
	}
	if (ret < 0) {
		/* All or nothing: take back the entries this batch made. */
		for (i = 0; i < done; i = j) {
			struct dma_range *e = range_find(s->ents, col.v[i]->iova, 1);

			for (j = i; j < done && col.v[j]->iova < e->iova + e->size; j++)
				;
			kernel_unmap(c, e->iova, e->size);
			drop_entry(s, e);
		}
		free(col.v);
		goto undo;
	}
	for (i = 0; i < col.n; i++)
		col.v[i]->pending = false;
	s->num_pending = 0;
	free(col.v);
	return 0;
undo:
	while (s->num_pending && collect(s->maps, true, &col) == 0) {
		for (i = 0; i < col.n; i++)
			give_back(s, col.v[i]);
		free(col.v);
	}
	return ret;
}

/*
 * Maps again a part of a kernel entry that is cut away. When that fails the part stays
 * unmapped, and so its mappings are dropped too: the tracking never claims more than the
 * kernel has.
 */
static int remap_part(struct vfiox_container *c, const struct dma_range *part)
{
	struct dma_range *m;
	int ret;

	if (!part->size)
		return 0;
	ret = map_entry(c, part);
	if (ret == 0)
		return 0;
	while ((m = range_find(c->dma->maps, part->iova, part->size)))
		give_back(c->dma, m);
	return vfiox__err(c->ctx, ret,
			  "the mappings at IOVA 0x%" PRIx64 "-0x%" PRIx64 " shared a kernel entry "
			  "with what was unmapped and could not be mapped again, so they are gone "
			  "too: %s",
			  part->iova, part->iova + part->size - 1, vfiox_ctx_last_error(c->ctx));
}

/* Removes kernel entry @e, which reaches beyond [lo, hi), and maps again what lies outside. */
static int cut_entry(struct vfiox_container *c, struct dma_range *e, uint64_t lo, uint64_t hi)
{
	struct dma_range left = *e, right = *e;
	int ret, ret2;

	ret = kernel_unmap(c, e->iova, e->size);
	if (ret < 0)
		return ret;
	left.size = lo > e->iova ? lo - e->iova : 0;
	right.iova = hi > e->iova ? hi : e->iova;
	right.vaddr = e->vaddr + (right.iova - e->iova);
	right.size = e->iova + e->size > right.iova ? e->iova + e->size - right.iova : 0;
	drop_entry(c->dma, e);
	ret = remap_part(c, &left);
	ret2 = remap_part(c, &right);
	return ret ? ret : ret2;
}

VFIOX_EXPORT int vfiox_dma_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size)
{
	struct vfiox_dma_state *s = c->dma;
	uint64_t end = iova + size;
	struct dma_range *m, *e;
	int ret;

	if (!size || end < iova)
		return vfiox__err(c->ctx, -EINVAL,
				  "DMA unmap at 0x%" PRIx64 ": size 0x%" PRIx64 " is 0 or wraps",
				  iova, size);
	m = s ? range_find(s->maps, iova, size) : NULL;
	if (!m)
		return vfiox__err(c->ctx, -ENOENT,
				  "nothing is mapped between IOVA 0x%" PRIx64 " and 0x%" PRIx64, iova,
				  end - 1);
	/* First prove that no mapping is cut, then change anything. */
	for (uint64_t at = iova; at < end;) {
		m = range_find(s->maps, at, end - at);
		if (!m)
			break;
		if (m->iova < iova || m->iova + m->size > end)
			return vfiox__err(c->ctx, -EINVAL,
					  "the range 0x%" PRIx64 "-0x%" PRIx64 " cuts the mapping at "
					  "0x%" PRIx64 "-0x%" PRIx64 ": unmap whole mappings",
					  iova, end - 1, m->iova, m->iova + m->size - 1);
		at = m->iova + m->size;
	}
	ret = 0;
	while (ret == 0 && (e = range_find(s->ents, iova, size))) {
		if (e->iova >= iova && e->iova + e->size <= end) {
			ret = kernel_unmap(c, e->iova, e->size);
			if (ret == 0)
				drop_entry(s, e);
		} else {
			ret = cut_entry(c, e, iova, end);
		}
	}
	while ((m = range_find(s->maps, iova, size)))
		give_back(s, m);
	return ret;
}

VFIOX_EXPORT int vfiox_dma_unmap_all(struct vfiox_container *c)
{
	struct vfiox_dma_state *s = c->dma;
	struct collect col;
	size_t i;
	int ret, first = 0;

	if (!s)
		return 0;
	ret = collect(s->ents, false, &col);
	if (ret < 0)
		return vfiox__err(c->ctx, ret, "out of memory");
	for (i = 0; i < col.n; i++) {
		ret = kernel_unmap(c, col.v[i]->iova, col.v[i]->size);
		if (ret < 0 && !first)
			first = ret;
		if (ret == 0)
			drop_entry(s, col.v[i]);
	}
	free(col.v);
	if (first)
		return first;
	ret = collect(s->maps, false, &col);
	if (ret < 0)
		return vfiox__err(c->ctx, ret, "out of memory");
	for (i = 0; i < col.n; i++)
		give_back(s, col.v[i]);
	free(col.v);
	s->batch = false;
	return 0;
}

VFIOX_EXPORT int64_t vfiox_dma_entries_avail(struct vfiox_container *c)
{
	struct vfiox_dma_state *s;
	int ret = dma_state(c, &s);

	return ret < 0 ? ret : s->avail;
}

VFIOX_EXPORT size_t vfiox_dma_entries_used(const struct vfiox_container *c)
{
	return c->dma ? c->dma->num_ents : 0;
}

VFIOX_EXPORT size_t vfiox_dma_num_mappings(const struct vfiox_container *c)
{
	return c->dma ? c->dma->num_maps : 0;
}

VFIOX_EXPORT uint64_t vfiox_dma_mapped_bytes(const struct vfiox_container *c)
{
	return c->dma ? c->dma->mapped : 0;
}

/* For pools: the first place of @size in [lo, hi) that is free usable IOVA. */
struct window_fit {
	uint64_t lo, hi, size, align, found;
	bool ok;
};

static int window_fn(void *arg, const struct vfiox_iova_range *r)
{
	struct window_fit *w = arg;
	uint64_t start = r->start > w->lo ? r->start : w->lo;
	uint64_t last = r->end < w->hi - 1 ? r->end : w->hi - 1;

	start = (start + w->align - 1) & ~(w->align - 1);
	if (start < w->lo || start > last || last - start + 1 < w->size)
		return 0;
	w->found = start;
	w->ok = true;
	return 1;
}

int vfiox__dma_window_fit(struct vfiox_container *c, uint64_t lo, uint64_t len, uint64_t size,
			  uint64_t align, uint64_t *iova)
{
	struct vfiox_dma_state *s;
	struct window_fit w = { .lo = lo, .hi = lo + len, .size = size };
	int ret = dma_state(c, &s);

	if (ret < 0)
		return ret;
	w.align = align > s->page ? align : s->page;
	if (!len || w.hi < lo)
		w.hi = 0; /* to the end of the space */
	if (!w.hi)
		w.hi = UINT64_MAX;
	vfiox__iova_for_each_free(s->space, window_fn, &w);
	if (!w.ok)
		return -ENOSPC;
	*iova = w.found;
	return 0;
}

struct free_list {
	struct vfiox_iova_range *v;
	size_t n, cap;
};

static int free_fn(void *arg, const struct vfiox_iova_range *r)
{
	struct free_list *fl = arg;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 16;
		struct vfiox_iova_range *v = realloc(fl->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		fl->v = v;
		fl->cap = cap;
	}
	fl->v[fl->n++] = *r;
	return 0;
}

/* Takes [lo, hi] (inclusive, inside one free extent) out of the allocator's hands. */
static int take_away(struct vfiox_dma_state *s, uint64_t lo, uint64_t hi, uint64_t fs, uint64_t fe)
{
	lo &= ~(s->page - 1);
	hi |= s->page - 1;
	if (lo < fs)
		lo = fs;
	if (hi > fe)
		hi = fe;
	if (hi < lo)
		return 0;
	return vfiox__iova_reserve(s->space, lo, hi - lo + 1);
}

int vfiox__dma_narrow(struct vfiox_container *c, const struct vfiox_iova_range *ranges, size_t n)
{
	struct vfiox_dma_state *s = c->dma;
	struct free_list fl = { 0 };
	size_t i, k;
	int ret;

	if (!s)
		return 0;
	/* Nothing mapped yet: build the state again from the new ranges when it is used. */
	if (!s->num_maps && !s->batch) {
		vfiox__dma_release(c);
		return 0;
	}
	/*
	 * The kernel refused the attach for what it has mapped, but not for the open batch's
	 * mappings, which have their IOVA and are not in the kernel yet.
	 */
	if (s->num_pending) {
		struct collect col;

		ret = collect(s->maps, true, &col);
		if (ret < 0)
			return vfiox__err(c->ctx, ret, "out of memory");
		for (i = 0; i < col.n; i++) {
			const struct dma_range *m = col.v[i];

			for (k = 0; k < n; k++)
				if (m->iova >= ranges[k].start &&
				    m->iova + m->size - 1 <= ranges[k].end)
					break;
			if (k == n) {
				ret = vfiox__err(c->ctx, -EADDRINUSE, "the open DMA batch has IOVA "
						 "0x%" PRIx64 "-0x%" PRIx64 " where the device just "
						 "attached reserves IOVA: end the batch before "
						 "attaching devices", m->iova, m->iova + m->size - 1);
				break;
			}
		}
		free(col.v);
		if (ret < 0)
			return ret;
	}
	ret = vfiox__iova_for_each_free(s->space, free_fn, &fl);
	for (i = 0; i < fl.n && ret == 0; i++) {
		uint64_t fs = fl.v[i].start, fe = fl.v[i].end, cur = fs;
		bool done = false;

		for (k = 0; k < n && !done && ret == 0; k++) {
			if (ranges[k].end < cur || ranges[k].start > fe)
				continue;
			if (ranges[k].start > cur)
				ret = take_away(s, cur, ranges[k].start - 1, fs, fe);
			if (ranges[k].end >= fe)
				done = true;
			else
				cur = ranges[k].end + 1;
		}
		if (!done && ret == 0)
			ret = take_away(s, cur, fe, fs, fe);
	}
	free(fl.v);
	if (ret < 0)
		return vfiox__err(c->ctx, ret, "cannot narrow the IOVA space to the IOAS's new "
				  "ranges: %s", strerror(-ret));
	return 0;
}
