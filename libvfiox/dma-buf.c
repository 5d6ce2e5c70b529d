// SPDX-License-Identifier: LGPL-2.1-or-later
/* Memory for DMA (anonymous, memfd, hugetlb) and DMA pools that confine a device to it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "iova.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21U << 26)
#endif
#ifndef MFD_HUGE_1GB
#define MFD_HUGE_1GB (30U << 26)
#endif

struct vfiox_dma_buf {
	struct vfiox_ctx *ctx;
	void *addr;
	uint64_t size;
	int fd;
};

struct vfiox_dma_pool {
	struct vfiox_container *c;
	struct vfiox_dma_buf *buf;
	uint64_t iova;
	struct vfiox_iova_space *space; /* the blocks handed out, in the pool's IOVA */
};

/* Pool blocks are rounded to a cache line: small descriptors do not cost a page each. */
#define POOL_GRAIN 64

static const char *kind_name(int kind)
{
	switch (kind) {
	case VFIOX_BUF_ANON:
		return "anonymous";
	case VFIOX_BUF_MEMFD:
		return "memfd";
	case VFIOX_BUF_HUGE_2M:
		return "2 MiB hugetlb";
	case VFIOX_BUF_HUGE_1G:
		return "1 GiB hugetlb";
	}
	return "unknown";
}

/*
 * Before asking for hugepages: are there enough free ones? The answer makes the message
 * (how many are needed, free, and where to reserve more) instead of a bare ENOMEM.
 */
static int check_hugepages(struct vfiox_ctx *ctx, int kind, uint64_t size, bool failed)
{
	unsigned long kb = kind == VFIOX_BUF_HUGE_2M ? 2048 : 1048576;
	const char *what = kind == VFIOX_BUF_HUGE_2M ? "2 MiB" : "1 GiB";
	char dir[4096], path[4200];
	unsigned long long need = size / (kb * 1024);
	long free_pages;
	int ret;

	snprintf(dir, sizeof(dir), "%s/kernel/mm/hugepages/hugepages-%lukB", ctx->sysfs_root, kb);
	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	ret = vfiox__read_attr_long(AT_FDCWD, path, 10, &free_pages);
	if (ret == -ENOENT)
		return vfiox__err(ctx, -ENOMEM,
				  "this kernel offers no %s hugepages (%s is missing): use another "
				  "page size or VFIOX_BUF_MEMFD",
				  what, dir);
	if (ret < 0 && !failed)
		return 0; /* cannot tell; the mapping will */
	if (ret < 0)
		return vfiox__err(ctx, -ENOMEM, "cannot get %llu %s hugepages: reserve them in "
				  "%s/nr_hugepages", need, what, dir);
	if (failed || (unsigned long long)free_pages < need)
		return vfiox__err(ctx, -ENOMEM,
				  "%llu %s hugepages are needed and %ld are free: reserve more with "
				  "'echo N > %s/nr_hugepages' (as root) or hugepagesz=%s hugepages=N "
				  "on the kernel command line",
				  need, what, free_pages, dir, kind == VFIOX_BUF_HUGE_2M ? "2M" : "1G");
	return 0;
}

VFIOX_EXPORT int vfiox_dma_buf_new(struct vfiox_ctx *ctx, uint64_t size, int kind,
				   struct vfiox_dma_buf **bufp)
{
	uint64_t page = (uint64_t)vfiox_sys_page_size();
	unsigned int mfd_flags = 0;
	struct vfiox_dma_buf *b;
	int ret, prot = PROT_READ | PROT_WRITE;

	switch (kind) {
	case VFIOX_BUF_ANON:
	case VFIOX_BUF_MEMFD:
		break;
	case VFIOX_BUF_HUGE_2M:
		page = 2ull << 20;
		mfd_flags = MFD_HUGETLB | MFD_HUGE_2MB;
		break;
	case VFIOX_BUF_HUGE_1G:
		page = 1ull << 30;
		mfd_flags = MFD_HUGETLB | MFD_HUGE_1GB;
		break;
	default:
		return vfiox__err(ctx, -EINVAL, "unknown DMA buffer kind %d", kind);
	}
	if (!size || size > UINT64_MAX - page || size > (uint64_t)SIZE_MAX - page)
		return vfiox__err(ctx, -EINVAL, "DMA buffer size 0x%" PRIx64 " is 0 or too large",
				  size);
	size = (size + page - 1) & ~(page - 1);
	if (mfd_flags) {
		ret = check_hugepages(ctx, kind, size, false);
		if (ret < 0)
			return ret;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	b->ctx = ctx;
	b->size = size;
	b->fd = -1;
	if (kind == VFIOX_BUF_ANON) {
		ret = vfiox_sys_mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				     -1, 0, &b->addr);
	} else {
		ret = vfiox_sys_memfd_create("vfiox-dma", mfd_flags);
		if (ret < 0) {
			vfiox__err(ctx, ret, "cannot create a %s memfd: %s", kind_name(kind),
				   strerror(-ret));
			goto err_free;
		}
		b->fd = ret;
		ret = vfiox_sys_ftruncate(b->fd, (off_t)size);
		if (ret == 0)
			ret = vfiox_sys_mmap(NULL, size, prot, MAP_SHARED | MAP_POPULATE, b->fd, 0,
					     &b->addr);
	}
	if (ret < 0) {
		if (mfd_flags && (ret == -ENOMEM || ret == -EINVAL))
			ret = check_hugepages(ctx, kind, size, true); /* taken meanwhile */
		else
			vfiox__err(ctx, ret, "cannot allocate %" PRIu64 " bytes of %s memory: %s",
				   size, kind_name(kind), strerror(-ret));
		goto err_close;
	}
	/* A child's copy-on-write must not take the pinned page away from the parent. */
	ret = vfiox_sys_madvise(b->addr, size, MADV_DONTFORK);
	if (ret < 0) {
		vfiox__err(ctx, ret, "madvise(MADV_DONTFORK): %s", strerror(-ret));
		goto err_unmap;
	}
	*bufp = b;
	return 0;
err_unmap:
	vfiox_sys_munmap(b->addr, size);
err_close:
	if (b->fd >= 0)
		vfiox_sys_close(b->fd);
err_free:
	free(b);
	return ret;
}

VFIOX_EXPORT void vfiox_dma_buf_free(struct vfiox_dma_buf *b)
{
	if (!b)
		return;
	vfiox_sys_munmap(b->addr, b->size);
	if (b->fd >= 0)
		vfiox_sys_close(b->fd);
	free(b);
}

VFIOX_EXPORT void *vfiox_dma_buf_addr(const struct vfiox_dma_buf *b)
{
	return b->addr;
}

VFIOX_EXPORT uint64_t vfiox_dma_buf_size(const struct vfiox_dma_buf *b)
{
	return b->size;
}

VFIOX_EXPORT int vfiox_dma_buf_fd(const struct vfiox_dma_buf *b)
{
	return b->fd;
}

VFIOX_EXPORT int vfiox_dma_pool_new(struct vfiox_container *c, uint64_t size, int kind,
				    unsigned int flags, uint64_t win_start, uint64_t win_size,
				    struct vfiox_dma_pool **poolp)
{
	struct vfiox_iova_range whole;
	struct vfiox_dma_pool *p;
	uint64_t iova = 0, limit = VFIOX_DMA_NO_LIMIT;
	unsigned int mflags = flags & (VFIOX_DMA_READ | VFIOX_DMA_WRITE);
	int ret;

	if (kind == VFIOX_BUF_ANON)
		return vfiox__err(c->ctx, -EINVAL,
				  "a DMA pool needs memory with an fd: VFIOX_BUF_MEMFD or a hugetlb "
				  "kind, not anonymous memory");
	if (!mflags || (flags & ~(VFIOX_DMA_READ | VFIOX_DMA_WRITE)))
		return vfiox__err(c->ctx, -EINVAL,
				  "DMA pool flags 0x%x: give VFIOX_DMA_READ and/or VFIOX_DMA_WRITE",
				  flags);
	if (!win_size && win_start)
		return vfiox__err(c->ctx, -EINVAL, "a window start 0x%" PRIx64 " without a size",
				  win_start);
	if (win_size && win_start + win_size - 1 < win_start)
		return vfiox__err(c->ctx, -EINVAL, "the IOVA window at 0x%" PRIx64 " wraps",
				  win_start);
	p = calloc(1, sizeof(*p));
	if (!p)
		return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	p->c = c;
	ret = vfiox_dma_buf_new(c->ctx, size, kind, &p->buf);
	if (ret < 0)
		goto err_free;
	if (win_size) {
		ret = vfiox__dma_window_fit(c, win_start, win_size, p->buf->size, 0, &iova);
		if (ret == -ENOSPC)
			vfiox__err(c->ctx, ret,
				   "no free usable IOVA range of %" PRIu64 " bytes in the window "
				   "0x%" PRIx64 "-0x%" PRIx64 ": widen the window or make the pool "
				   "smaller", p->buf->size, win_start, win_start + win_size - 1);
		if (ret < 0)
			goto err_buf;
		mflags |= VFIOX_DMA_FIXED;
	}
	ret = vfiox_dma_map(c, p->buf->addr, p->buf->size, mflags, limit, &iova);
	if (ret < 0)
		goto err_buf;
	p->iova = iova;
	whole.start = iova;
	whole.end = iova + p->buf->size - 1;
	ret = vfiox__iova_new(&whole, 1, POOL_GRAIN, &p->space);
	if (ret < 0) {
		vfiox__err(c->ctx, ret, "out of memory");
		goto err_unmap;
	}
	*poolp = p;
	return 0;
err_unmap:
	vfiox_dma_unmap(c, iova, p->buf->size);
err_buf:
	vfiox_dma_buf_free(p->buf);
err_free:
	free(p);
	return ret;
}

VFIOX_EXPORT void vfiox_dma_pool_free(struct vfiox_dma_pool *p)
{
	if (!p)
		return;
	vfiox__iova_free_space(p->space);
	vfiox_dma_unmap(p->c, p->iova, p->buf->size);
	vfiox_dma_buf_free(p->buf);
	free(p);
}

VFIOX_EXPORT int vfiox_dma_pool_alloc(struct vfiox_dma_pool *p, uint64_t size, uint64_t align,
				      uint64_t *iova, void **vaddr)
{
	int ret;

	if (!size || (align & (align - 1)))
		return vfiox__err(p->c->ctx, -EINVAL,
				  "pool allocation of 0x%" PRIx64 " bytes aligned to 0x%" PRIx64
				  ": the size must not be 0, the alignment a power of two",
				  size, align);
	ret = vfiox__iova_alloc(p->space, size, align, 0, iova);
	if (ret == -ENOSPC)
		return vfiox__err(p->c->ctx, ret,
				  "the DMA pool (%" PRIu64 " bytes, %" PRIu64 " in use) has no free "
				  "block of %" PRIu64 " bytes",
				  p->buf->size, vfiox__iova_used(p->space), size);
	if (ret < 0)
		return vfiox__err(p->c->ctx, ret, "pool allocation: %s", strerror(-ret));
	if (vaddr)
		*vaddr = (uint8_t *)p->buf->addr + (*iova - p->iova);
	return 0;
}

VFIOX_EXPORT int vfiox_dma_pool_release(struct vfiox_dma_pool *p, uint64_t iova, uint64_t size)
{
	int ret = vfiox__iova_release(p->space, iova, size);

	if (ret < 0)
		return vfiox__err(p->c->ctx, ret,
				  "no block of %" PRIu64 " bytes at IOVA 0x%" PRIx64 " is allocated "
				  "from this pool", size, iova);
	return 0;
}

/* The offset of [iova, iova + len) in the pool, or -ERANGE (said) when it is not all inside. */
static int64_t pool_offset(const struct vfiox_dma_pool *p, uint64_t iova, size_t len)
{
	if (iova < p->iova || iova - p->iova > p->buf->size || len > p->buf->size - (iova - p->iova))
		return vfiox__err(p->c->ctx, -ERANGE,
				  "IOVA 0x%" PRIx64 " + %zu bytes is outside the DMA pool "
				  "0x%" PRIx64 "-0x%" PRIx64, iova, len, p->iova,
				  p->iova + p->buf->size - 1);
	return (int64_t)(iova - p->iova);
}

VFIOX_EXPORT int vfiox_dma_pool_write(struct vfiox_dma_pool *p, uint64_t iova, const void *src,
				      size_t len)
{
	int64_t off = pool_offset(p, iova, len);

	if (off < 0)
		return (int)off;
	memcpy((uint8_t *)p->buf->addr + off, src, len);
	return 0;
}

VFIOX_EXPORT int vfiox_dma_pool_read(struct vfiox_dma_pool *p, uint64_t iova, void *dst,
				     size_t len)
{
	int64_t off = pool_offset(p, iova, len);

	if (off < 0)
		return (int)off;
	memcpy(dst, (const uint8_t *)p->buf->addr + off, len);
	return 0;
}

VFIOX_EXPORT uint64_t vfiox_dma_pool_iova(const struct vfiox_dma_pool *p)
{
	return p->iova;
}

VFIOX_EXPORT uint64_t vfiox_dma_pool_size(const struct vfiox_dma_pool *p)
{
	return p->buf->size;
}

VFIOX_EXPORT void *vfiox_dma_pool_addr(const struct vfiox_dma_pool *p)
{
	return p->buf->addr;
}

VFIOX_EXPORT int vfiox_dma_pool_fd(const struct vfiox_dma_pool *p)
{
	return p->buf->fd;
}
