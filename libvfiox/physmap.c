// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reserved physical memory made reachable for a container's devices through /dev/mem. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vfiox/physmap.h>

#include "host-private.h"
#include "internal.h"
#include "iomem.h"

struct vfiox_physmap {
	struct vfiox_container *c;
	void *addr;
	uint64_t phys, size, iova;
};

/* The active mode of <sysfs>/kernel/security/lockdown ("none [integrity] ..."), or "". */
void vfiox__lockdown_mode(struct vfiox_ctx *ctx, char *mode, size_t len)
{
	char path[4096], buf[256], *lb, *rb;

	mode[0] = '\0';
	if (vfiox__root_path(path, sizeof(path), ctx->sysfs_root, "kernel/security/lockdown") ||
	    vfiox__read_attr(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return;
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (rb && (size_t)(rb - lb - 1) < len) {
		memcpy(mode, lb + 1, (size_t)(rb - lb - 1));
		mode[rb - lb - 1] = '\0';
	}
}

/*
 * The kernel's no to /dev/mem (@err from open or mmap of @dev), in words: lockdown when
 * it is on, else what refuses the range.
 */
static int devmem_refused(struct vfiox_ctx *ctx, int err, const char *dev, const char *what,
			  uint64_t phys, uint64_t size, const char *top)
{
	char mode[64];

	/* Lockdown answers -EPERM; another errno is about something else. */
	if (err == -EPERM)
		vfiox__lockdown_mode(ctx, mode, sizeof(mode));
	else
		mode[0] = '\0';
	if (mode[0] && strcmp(mode, "none"))
		return vfiox__err(ctx, -EPERM,
				  "cannot %s %s for physical range 0x%" PRIx64 "-0x%" PRIx64 ": the "
				  "kernel is locked down ([%s] in %s/kernel/security/lockdown), "
				  "which refuses /dev/mem; boot with lockdown=none (and Secure "
				  "Boot off) to reach this range",
				  what, dev, phys, phys + size - 1, mode, ctx->sysfs_root);
	if (err == -EPERM && !strcmp(what, "open"))
		return vfiox__err(ctx, -EPERM,
				  "cannot open %s for physical range 0x%" PRIx64 "-0x%" PRIx64 ": "
				  "it needs CAP_SYS_RAWIO; run as root",
				  dev, phys, phys + size - 1);
	if (err == -EACCES)
		return vfiox__err(ctx, -EACCES,
				  "cannot open %s for physical range 0x%" PRIx64 "-0x%" PRIx64 ": "
				  "permission denied; run as root",
				  dev, phys, phys + size - 1);
	if (err == -EPERM)
		return vfiox__err(ctx, -EPERM,
				  "the kernel refuses to map physical range 0x%" PRIx64 "-0x%" PRIx64
				  " (%s in /proc/iomem) through %s: with CONFIG_STRICT_DEVMEM it "
				  "allows no RAM, and with CONFIG_IO_STRICT_DEVMEM no range a driver "
				  "claimed busy; unbind the driver that holds it, or boot with "
				  "iomem=relaxed",
				  phys, phys + size - 1, top, dev);
	return vfiox__err(ctx, err,
			  "cannot %s %s for physical range 0x%" PRIx64 "-0x%" PRIx64 ": %s", what,
			  dev, phys, phys + size - 1, strerror(-err));
}

/* Refuses what must not go through /dev/mem; @top receives the iomem name of the range. */
static int check_range(struct vfiox_ctx *ctx, uint64_t phys, uint64_t size, char *top,
		       size_t len)
{
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;
	char why[512];
	int ret;

	ret = vfiox__iomem_read(ctx, &m);
	if (ret < 0) {
		snprintf(why, sizeof(why), "%s", vfiox_ctx_last_error(ctx));
		return vfiox__err(ctx, ret, "cannot check physical range 0x%" PRIx64 "-0x%" PRIx64
				  ": %s", phys, phys + size - 1, why);
	}
	vfiox__iomem_classify(&m, phys, phys + size - 1, &v);
	if (v.ram) {
		ret = vfiox__err(ctx, -EPERM,
				 "physical range 0x%" PRIx64 "-0x%" PRIx64 " overlaps System RAM "
				 "0x%" PRIx64 "-0x%" PRIx64 " (%s/iomem): the kernel's memory is "
				 "never mapped through /dev/mem; give a range that /proc/iomem shows "
				 "as reserved",
				 phys, phys + size - 1, v.ram->start, v.ram->end, ctx->proc_root);
		goto out;
	}
	snprintf(top, len, "%s", v.top ? v.top->name : "not all in one entry");
out:
	vfiox__iomem_release(&m);
	return ret;
}

VFIOX_EXPORT int vfiox_physmap_new(struct vfiox_container *c, uint64_t phys, uint64_t size,
				   unsigned int flags, uint64_t limit, uint64_t *iova,
				   struct vfiox_physmap **mp)
{
	struct vfiox_ctx *ctx = c->ctx;
	uint64_t page = (uint64_t)vfiox_sys_page_size();
	struct vfiox_physmap *m;
	char dev[4096], top[256], why[512];
	int fd, ret;

	if (!iova || !mp)
		return vfiox__err(ctx, -EINVAL, "no place given for the IOVA or the mapping");
	if (!size || size % page || phys % page || phys + size - 1 < phys ||
	    phys + size - 1 > (uint64_t)INT64_MAX)
		return vfiox__err(ctx, -EINVAL,
				  "physical range 0x%" PRIx64 " of 0x%" PRIx64 " bytes: address and "
				  "size must be non-zero multiples of the page size (%" PRIu64 " "
				  "bytes) and the range must not wrap",
				  phys, size, page);
	ret = check_range(ctx, phys, size, top, sizeof(top));
	if (ret < 0)
		return ret;
	if (vfiox__root_path(dev, sizeof(dev), ctx->dev_root, "mem"))
		return vfiox__err(ctx, -ENAMETOOLONG, "%s/mem: the path is too long",
				  ctx->dev_root);
	m = calloc(1, sizeof(*m));
	if (!m)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	fd = vfiox_sys_openat(AT_FDCWD, dev, O_RDWR, 0);
	if (fd == -ENOENT) {
		ret = vfiox__err(ctx, -ENOENT,
				 "cannot map physical range 0x%" PRIx64 "-0x%" PRIx64 ": there is "
				 "no %s (a kernel without CONFIG_DEVMEM, or no such node in this "
				 "/dev)",
				 phys, phys + size - 1, dev);
		goto err_free;
	}
	if (fd < 0) {
		ret = devmem_refused(ctx, fd, dev, "open", phys, size, top);
		goto err_free;
	}
	/* Shared: the process and the devices see the same physical bytes. */
	ret = vfiox_sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)phys,
			     &m->addr);
	vfiox_sys_close(fd);
	if (ret < 0) {
		ret = devmem_refused(ctx, ret, dev, "mmap", phys, size, top);
		goto err_free;
	}
	ret = vfiox__dma_map_unpinned(c, m->addr, size, flags, limit, iova);
	if (ret < 0) {
		snprintf(why, sizeof(why), "%s", vfiox_ctx_last_error(ctx));
		vfiox__err(ctx, ret, "physical range 0x%" PRIx64 "-0x%" PRIx64 ": %s", phys,
			   phys + size - 1, why);
		goto err_unmap;
	}
	m->c = c;
	m->phys = phys;
	m->size = size;
	m->iova = *iova;
	*mp = m;
	return 0;
err_unmap:
	vfiox_sys_munmap(m->addr, size);
err_free:
	free(m);
	return ret;
}

VFIOX_EXPORT void vfiox_physmap_free(struct vfiox_physmap *m)
{
	if (!m)
		return;
	/* The devices lose the range before the process does. */
	vfiox_dma_unmap(m->c, m->iova, m->size);
	vfiox_sys_munmap(m->addr, m->size);
	free(m);
}

VFIOX_EXPORT void *vfiox_physmap_addr(const struct vfiox_physmap *m)
{
	return m->addr;
}

VFIOX_EXPORT uint64_t vfiox_physmap_iova(const struct vfiox_physmap *m)
{
	return m->iova;
}

VFIOX_EXPORT uint64_t vfiox_physmap_size(const struct vfiox_physmap *m)
{
	return m->size;
}
