// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The iommufd backend: /dev/iommu with one IOAS, devices opened by their VFIO cdev
 * (/dev/vfio/devices/vfioN), bound to the iommufd and attached to the IOAS. Fills the
 * same struct vfiox_iommu_ops as the type1 backend in vfio.c; the choice between the two
 * (vfiox_backend_choose(), vfiox_device_open_any()) is here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vfiox/iommufd.h>

#include "internal.h"
#include "iommufd-uapi.h"

/* More ranges than this in one IOAS are not believed. */
#define MAX_RANGES 4096

VFIOX_EXPORT const char *vfiox_backend_name(int backend)
{
	switch (backend) {
	case VFIOX_BACKEND_AUTO:
		return "auto";
	case VFIOX_BACKEND_TYPE1:
		return "type1";
	case VFIOX_BACKEND_IOMMUFD:
		return "iommufd";
	default:
		return "?";
	}
}

VFIOX_EXPORT int vfiox_backend_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "auto"))
		return VFIOX_BACKEND_AUTO;
	if (!strcmp(name, "type1") || !strcmp(name, "legacy") || !strcmp(name, "container"))
		return VFIOX_BACKEND_TYPE1;
	if (!strcmp(name, "iommufd") || !strcmp(name, "cdev"))
		return VFIOX_BACKEND_IOMMUFD;
	return -EINVAL;
}

/* ------------------------------------------------------------------ the IOAS */

int vfiox__parse_ioas_ranges(const struct vfiox_k_iova_range *k, uint32_t n, uint64_t align,
			     struct vfiox_iova_range *out, char *why, size_t whylen)
{
	uint32_t i;

	if (align & (align - 1)) {
		snprintf(why, whylen, "alignment 0x%" PRIx64 " is not a power of two", align);
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (k[i].start > k[i].last || (i && k[i].start <= k[i - 1].last)) {
			snprintf(why, whylen, "range %u (0x%" PRIx64 "-0x%" PRIx64 ") is reversed "
				 "or overlaps the one before", i, k[i].start, k[i].last);
			return -EPROTO;
		}
		if (align > 1 && ((k[i].start & (align - 1)) || ((k[i].last + 1) & (align - 1)))) {
			snprintf(why, whylen, "range %u (0x%" PRIx64 "-0x%" PRIx64 ") is not "
				 "aligned to 0x%" PRIx64, i, k[i].start, k[i].last, align);
			return -EPROTO;
		}
		out[i] = (struct vfiox_iova_range){ k[i].start, k[i].last };
	}
	return 0;
}

static bool iommufd_ready(const struct vfiox_container *c)
{
	return c->num_devices > 0;
}

/*
 * IOMMU_IOAS_IOVA_RANGES: asked with no room first; the kernel answers EMSGSIZE with the
 * count. The ranges change when devices attach, so each call asks again.
 */
static int ioas_ranges(struct vfiox_container *c, struct vfiox_iova_range **rangesp, size_t *np,
		       uint64_t *align)
{
	struct vfiox_k_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = c->ioas };
	struct vfiox_k_iova_range *k = NULL;
	struct vfiox_iova_range *r;
	uint32_t room = 0;
	char why[160];
	int attempt, ret;

	for (attempt = 0; attempt < 3; attempt++) {
		q.num_iovas = room;
		q.allowed_iovas = (uint64_t)(uintptr_t)k;
		ret = vfiox_sys_ioctl(c->fd, VFIOX_K_IOMMU_IOAS_IOVA_RANGES, &q);
		if (ret == 0 && q.num_iovas <= room)
			break;
		if (ret < 0 && ret != -EMSGSIZE) {
			free(k);
			return vfiox__err(c->ctx, ret, "IOMMU_IOAS_IOVA_RANGES of IOAS %u: %s",
					  c->ioas, strerror(-ret));
		}
		if (q.num_iovas > MAX_RANGES) {
			free(k);
			return vfiox__err(c->ctx, -EPROTO, "IOMMU_IOAS_IOVA_RANGES of IOAS %u: the "
					  "kernel claims %u ranges, more than the %d believed",
					  c->ioas, q.num_iovas, MAX_RANGES);
		}
		room = q.num_iovas;
		free(k);
		k = calloc(room ? room : 1, sizeof(*k));
		if (!k)
			return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	}
	if (attempt == 3) {
		free(k);
		return vfiox__err(c->ctx, -EPROTO, "IOMMU_IOAS_IOVA_RANGES of IOAS %u: the number "
				  "of ranges kept changing", c->ioas);
	}
	r = calloc(q.num_iovas ? q.num_iovas : 1, sizeof(*r));
	if (!r) {
		free(k);
		return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	}
	ret = vfiox__parse_ioas_ranges(k, q.num_iovas, q.out_iova_alignment, r, why, sizeof(why));
	if (ret) {
		free(k);
		free(r);
		return vfiox__err(c->ctx, ret, "IOMMU_IOAS_IOVA_RANGES of IOAS %u: %s", c->ioas, why);
	}
	free(k);
	*rangesp = r;
	*np = q.num_iovas;
	*align = q.out_iova_alignment;
	return 0;
}

static int iommufd_info(struct vfiox_container *c, struct vfiox_iommu_info **infop)
{
	struct vfiox_iommu_info *info;
	uint64_t align, page = (uint64_t)vfiox_sys_page_size();
	int ret;

	info = calloc(1, sizeof(*info));
	if (!info)
		return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	ret = ioas_ranges(c, &info->iova_ranges, &info->num_iova_ranges, &align);
	if (ret) {
		free(info);
		return ret;
	}
	/* The IOAS reports the alignment its domains need, not a page size mask. */
	info->pgsizes = align > page ? align : page;
	info->dma_avail = -1; /* iommufd has no entry budget */
	*infop = info;
	return 0;
}

static int iommufd_map(struct vfiox_container *c, uint64_t vaddr, uint64_t iova, uint64_t size,
		       unsigned int flags)
{
	struct vfiox_k_ioas_map map = {
		.size = sizeof(map),
		.flags = VFIOX_K_IOAS_MAP_FIXED_IOVA |
			 (flags & VFIOX_DMA_READ ? VFIOX_K_IOAS_MAP_READABLE : 0) |
			 (flags & VFIOX_DMA_WRITE ? VFIOX_K_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = c->ioas,
		.user_va = vaddr,
		.length = size,
		.iova = iova,
	};

	return vfiox_sys_ioctl(c->fd, VFIOX_K_IOMMU_IOAS_MAP, &map);
}

static int iommufd_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size)
{
	struct vfiox_k_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = c->ioas,
		.iova = iova,
		.length = size,
	};

	return vfiox_sys_ioctl(c->fd, VFIOX_K_IOMMU_IOAS_UNMAP, &unmap);
}

const struct vfiox_iommu_ops vfiox__iommufd_ops = {
	.backend = VFIOX_BACKEND_IOMMUFD,
	.map_call = "IOMMU_IOAS_MAP",
	.unmap_call = "IOMMU_IOAS_UNMAP",
	.ready = iommufd_ready,
	.info = iommufd_info,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
};

/* ------------------------------------------------------------------ the iommufd */

static int iommufd_setup(struct vfiox_ctx *ctx, int fd, uint32_t ioas, const char *what,
			 struct vfiox_container **cp)
{
	struct vfiox_container *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c) {
		vfiox_sys_close(fd);
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	}
	c->ctx = ctx;
	c->ops = &vfiox__iommufd_ops;
	c->fd = fd;
	c->model = VFIOX_IOMMU_IOMMUFD;
	if (ioas) {
		struct vfiox_k_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas };

		ret = vfiox_sys_ioctl(fd, VFIOX_K_IOMMU_IOAS_IOVA_RANGES, &q);
		if (ret < 0 && ret != -EMSGSIZE) {
			ret = vfiox__err(ctx, ret == -ENOTTY || ret == -EINVAL ? -EBADF : ret,
					 ret == -ENOENT ? "%s has no IOAS %u" :
					 "%s is not an iommufd with IOAS %u (IOMMU_IOAS_IOVA_RANGES: %s)",
					 what, ioas, strerror(-ret));
			goto err_free;
		}
		c->ioas = ioas;
	} else {
		struct vfiox_k_ioas_alloc a = { .size = sizeof(a) };

		ret = vfiox_sys_ioctl(fd, VFIOX_K_IOMMU_IOAS_ALLOC, &a);
		if (ret < 0) {
			ret = vfiox__err(ctx, ret == -ENOTTY || ret == -EINVAL ? -EBADF : ret,
					 "%s is not an iommufd (IOMMU_IOAS_ALLOC: %s)", what,
					 strerror(-ret));
			goto err_free;
		}
		if (a.out_ioas_id == 0) {
			ret = vfiox__err(ctx, -EPROTO, "%s: IOMMU_IOAS_ALLOC answered IOAS id 0",
					 what);
			goto err_free;
		}
		c->ioas = a.out_ioas_id;
	}
	*cp = c;
	return 0;
err_free:
	vfiox_sys_close(fd);
	free(c);
	return ret;
}

VFIOX_EXPORT int vfiox_iommufd_open(struct vfiox_ctx *ctx, struct vfiox_container **cp)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/iommu", ctx->dev_root);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
	if (fd == -ENOENT || fd == -ENXIO || fd == -ENODEV)
		return vfiox__err(ctx, -ENOENT, "%s does not exist: this kernel has no iommufd "
				  "(CONFIG_IOMMUFD); use the type1 backend", path);
	if (fd == -EACCES || fd == -EPERM)
		return vfiox__err(ctx, fd, "no permission to open %s: run as root, or give your "
				  "user access to it (a udev rule for the misc device 'iommu')",
				  path);
	if (fd < 0)
		return vfiox__err(ctx, fd, "cannot open %s: %s", path, strerror(-fd));
	return iommufd_setup(ctx, fd, 0, path, cp);
}

VFIOX_EXPORT int vfiox_iommufd_adopt(struct vfiox_ctx *ctx, int fd, uint32_t ioas,
				     struct vfiox_container **cp)
{
	char what[32];

	if (fd < 0)
		return vfiox__err(ctx, -EBADF, "iommufd %d is not an open file", fd);
	snprintf(what, sizeof(what), "fd %d", fd);
	return iommufd_setup(ctx, fd, ioas, what, cp);
}

VFIOX_EXPORT int vfiox_container_backend(const struct vfiox_container *c)
{
	return c->ops->backend;
}

VFIOX_EXPORT uint32_t vfiox_container_ioas(const struct vfiox_container *c)
{
	return c->ops->backend == VFIOX_BACKEND_IOMMUFD ? c->ioas : 0;
}

/* ------------------------------------------------------------------ devices by cdev */

struct cdev_find {
	char name[64];
	int found;
};

static int cdev_entry(void *arg, const char *name)
{
	struct cdev_find *f = arg;

	if (strncmp(name, "vfio", 4) || !name[4] || strspn(name + 4, "0123456789") !=
						      strlen(name + 4))
		return 0;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->found++;
	return 0;
}

VFIOX_EXPORT int vfiox_device_cdev(struct vfiox_ctx *ctx, const char *dev, char *buf, size_t len)
{
	struct cdev_find f = { .found = 0 };
	char path[4096], drv[64];
	int ret, n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", ctx->sysfs_root, dev);
	ret = vfiox__for_each_dirent(AT_FDCWD, path, cdev_entry, &f);
	if (ret == 0 && f.found == 1) {
		/*
		 * Every VFIO device has its vfio-dev/vfioN since Linux 6.1; only a kernel with
		 * CONFIG_VFIO_DEVICE_CDEV gives it a device number ("dev") and so a node.
		 */
		struct stat st;

		n = snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev/%s/dev",
			     ctx->sysfs_root, dev, f.name);
		if (n > 0 && (size_t)n < sizeof(path) &&
		    vfiox_sys_fstatat(AT_FDCWD, path, &st, 0) == -ENOENT)
			return vfiox__err(ctx, -ENODEV, "%s has no VFIO cdev: its vfio-dev/%s has no "
					  "device number, as this kernel was built without "
					  "CONFIG_VFIO_DEVICE_CDEV (use the type1 backend)", dev,
					  f.name);
		n = snprintf(buf, len, "%s/vfio/devices/%s", ctx->dev_root, f.name);
		if (n < 0 || (size_t)n >= len)
			return vfiox__err(ctx, -ENAMETOOLONG, "the cdev path of %s is too long", dev);
		return 0;
	}
	if (ret == 0 && f.found > 1)
		return vfiox__err(ctx, -EPROTO, "%s has %d VFIO cdevs in %s, expected one", dev,
				  f.found, path);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", ctx->sysfs_root, dev);
	if (vfiox__read_link_name(AT_FDCWD, path, drv, sizeof(drv)) < 0) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", ctx->sysfs_root, dev);
		if (vfiox_sys_fstatat(AT_FDCWD, path, &st, 0) == -ENOENT)
			return vfiox__err(ctx, -ENODEV, "no PCI device %s", dev);
		return vfiox__err(ctx, -ENODEV, "%s has no VFIO cdev: it is bound to no driver "
				  "(bind it to vfio-pci: vfioctl bind %s)", dev, dev);
	}
	if (strcmp(drv, "vfio-pci"))
		return vfiox__err(ctx, -ENODEV, "%s has no VFIO cdev: it is bound to %s, not "
				  "vfio-pci (vfioctl bind %s)", dev, drv, dev);
	return vfiox__err(ctx, -ENODEV, "%s has no VFIO cdev: this kernel was built without "
			  "CONFIG_VFIO_DEVICE_CDEV (use the type1 backend)", dev);
}

/* "IOMMU group 7, held by pid 12 (qemu)", for EBUSY. */
static void group_holders(struct vfiox_ctx *ctx, const char *dev, char *buf, size_t len)
{
	char path[4096], node[128], id[32], who[256];

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", ctx->sysfs_root, dev);
	if (vfiox__read_link_name(AT_FDCWD, path, id, sizeof(id)) < 0)
		return;
	if (snprintf(node, sizeof(node), "%s/vfio/%s", ctx->dev_root, id) >= (int)sizeof(node))
		return;
	vfiox__find_holders(ctx, node, who, sizeof(who));
	snprintf(buf, len, ": its IOMMU group %s is open through %s%s%s", id, node,
		 who[0] ? " by " : " (by another process, or by this one)", who);
}

static int bind_error(struct vfiox_container *c, int err, const char *name)
{
	char held[512];

	switch (err) {
	case -EBUSY:
		group_holders(c->ctx, name, held, sizeof(held));
		return vfiox__err(c->ctx, err, "cannot bind %s to the iommufd: it is in use%s; "
				  "close that first, or use the type1 backend with the group",
				  name, held[0] ? held : " (its group is open through /dev/vfio/N)");
	case -EINVAL:
		return vfiox__err(c->ctx, err, "cannot bind %s to the iommufd: the kernel refused "
				  "(EINVAL): the device is open and bound already (a cdev binds "
				  "once, and only one cdev fd per device), or the fd came from a "
				  "group, not from /dev/vfio/devices", name);
	case -ENOTTY:
		return vfiox__err(c->ctx, -EBADF, "cannot bind %s to the iommufd: the fd is not a "
				  "VFIO cdev (VFIO_DEVICE_BIND_IOMMUFD unknown)", name);
	case -EPERM:
	case -EACCES:
		return vfiox__err(c->ctx, err, "cannot bind %s to the iommufd: %s (a VF whose PF "
				  "is on vfio-pci needs a VF token, which this kernel interface "
				  "does not take: use the type1 backend)", name, strerror(-err));
	default:
		return vfiox__err(c->ctx, err, "cannot bind %s to the iommufd "
				  "(VFIO_DEVICE_BIND_IOMMUFD): %s", name, strerror(-err));
	}
}

VFIOX_EXPORT int vfiox_device_adopt_cdev(struct vfiox_container *c, int fd, const char *name,
					 struct vfiox_device **dp)
{
	struct vfiox_k_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = c->fd };
	struct vfiox_k_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = c->ioas };
	struct vfiox_iova_range *ranges;
	struct vfiox_device *d;
	uint64_t align;
	size_t n;
	int ret;

	if (c->ops->backend != VFIOX_BACKEND_IOMMUFD) {
		if (fd >= 0)
			vfiox_sys_close(fd);
		return vfiox__err(c->ctx, -EINVAL, "%s: a cdev binds to an iommufd container, "
				  "not to a type1 one", name);
	}
	if (fd < 0)
		return vfiox__err(c->ctx, -EBADF, "%s: cdev fd %d is not an open file", name, fd);
	ret = vfiox_sys_ioctl(fd, VFIOX_K_VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (ret < 0) {
		vfiox_sys_close(fd);
		return bind_error(c, ret, name);
	}
	if (bind.out_devid == 0) {
		vfiox_sys_close(fd);
		return vfiox__err(c->ctx, -EPROTO, "%s: VFIO_DEVICE_BIND_IOMMUFD answered device "
				  "id 0", name);
	}
	ret = vfiox_sys_ioctl(fd, VFIOX_K_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (ret < 0) {
		vfiox_sys_close(fd);
		if (ret == -EADDRINUSE)
			return vfiox__err(c->ctx, ret, "cannot attach %s to IOAS %u: DMA is mapped "
					  "where the device has reserved IOVA ranges (see its group's "
					  "reserved_regions); attach devices before mapping", name,
					  c->ioas);
		return vfiox__err(c->ctx, ret, "cannot attach %s to IOAS %u "
				  "(VFIO_DEVICE_ATTACH_IOMMUFD_PT): %s", name, c->ioas,
				  strerror(-ret));
	}
	ret = vfiox__device_new(c->ctx, fd, name, &d);
	if (ret)
		return ret;
	d->devid = bind.out_devid;
	d->ioas = c;
	d->ioas_next = c->devices;
	c->devices = d;
	c->num_devices++;
	/* Its reserved regions may have taken IOVA the allocator would still hand out. */
	if (c->dma) {
		ret = ioas_ranges(c, &ranges, &n, &align);
		if (ret == 0) {
			ret = vfiox__dma_narrow(c, ranges, n);
			free(ranges);
		}
		if (ret) {
			vfiox_device_close(d);
			return ret;
		}
	}
	*dp = d;
	return 0;
}

VFIOX_EXPORT int vfiox_device_open_cdev(struct vfiox_container *c, const char *name,
					struct vfiox_device **dp)
{
	char path[4096];
	int fd, ret;

	if (c->ops->backend != VFIOX_BACKEND_IOMMUFD)
		return vfiox__err(c->ctx, -EINVAL, "%s: a device opened by its cdev needs an "
				  "iommufd container (vfiox_iommufd_open)", name);
	ret = vfiox_device_cdev(c->ctx, name, path, sizeof(path));
	if (ret)
		return ret;
	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
	if (fd == -ENOENT)
		return vfiox__err(c->ctx, -ENODEV, "%s: sysfs names the cdev %s but there is no "
				  "such node (is devtmpfs mounted on %s?)", name, path,
				  c->ctx->dev_root);
	if (fd == -EACCES || fd == -EPERM)
		return vfiox__err(c->ctx, fd, "no permission to open %s (the cdev of %s): run as "
				  "root, or give your user that node", path, name);
	if (fd < 0)
		return vfiox__err(c->ctx, fd, "cannot open %s (the cdev of %s): %s", path, name,
				  strerror(-fd));
	return vfiox_device_adopt_cdev(c, fd, name, dp);
}

VFIOX_EXPORT uint32_t vfiox_device_devid(const struct vfiox_device *d)
{
	return d->devid;
}

VFIOX_EXPORT int vfiox_device_iommu_hw_info(struct vfiox_device *d,
					    struct vfiox_iommu_hw_info *info)
{
	uint8_t data[64] = { 0 };
	struct vfiox_k_hw_info q = { .size = sizeof(q), .data_len = sizeof(data) };
	int ret;

	if (!d->devid)
		return vfiox__err(d->ctx, -EINVAL, "%s: the IOMMU hardware info comes from "
				  "iommufd, and the device was opened through its group",
				  d->name);
	if (!d->ioas)
		return vfiox__err(d->ctx, -EINVAL, "%s: its iommufd container was closed before "
				  "it", d->name);
	q.dev_id = d->devid;
	q.data_uptr = (uint64_t)(uintptr_t)data;
	ret = vfiox_sys_ioctl(d->ioas->fd, VFIOX_K_IOMMU_GET_HW_INFO, &q);
	if (ret < 0)
		return vfiox__err(d->ctx, ret, "%s: IOMMU_GET_HW_INFO: %s", d->name, strerror(-ret));
	/* data_len comes back as all the kernel has, of which only what fit was copied. */
	if (q.data_len > sizeof(data))
		q.data_len = sizeof(data);
	memset(info, 0, sizeof(*info));
	info->type = q.out_data_type;
	info->capabilities = q.out_capabilities;
	info->max_pasid_log2 = q.out_max_pasid_log2;
	info->data_len = q.data_len;
	memcpy(info->data, data, sizeof(data));
	switch (q.out_data_type) {
	case VFIOX_IOMMU_HW_NONE:
		info->type_name = "none";
		break;
	case VFIOX_IOMMU_HW_INTEL_VTD: {
		struct vfiox_k_hw_info_vtd vtd;

		info->type_name = "intel-vtd";
		if (q.data_len < sizeof(vtd))
			return vfiox__err(d->ctx, -EPROTO, "%s: IOMMU_GET_HW_INFO gave %u bytes of "
					  "VT-d data, fewer than its %zu", d->name, q.data_len,
					  sizeof(vtd));
		memcpy(&vtd, data, sizeof(vtd));
		info->vtd_flags = vtd.flags;
		info->vtd_cap_reg = vtd.cap_reg;
		info->vtd_ecap_reg = vtd.ecap_reg;
		break;
	}
	case VFIOX_IOMMU_HW_ARM_SMMUV3:
		info->type_name = "arm-smmuv3";
		break;
	default:
		info->type_name = "unknown";
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ the choice */

static bool node_exists(struct vfiox_ctx *ctx, const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", ctx->dev_root, rel);
	return vfiox_sys_fstatat(AT_FDCWD, path, &st, 0) == 0;
}

static void say(char *why, size_t len, const char *fmt, const char *a, const char *b)
{
	if (why && len)
		snprintf(why, len, fmt, a, b);
}

VFIOX_EXPORT int vfiox_backend_choose(struct vfiox_ctx *ctx, const char *dev, int wanted,
				      bool need_vf_token, char *why, size_t len)
{
	bool iommu = node_exists(ctx, "iommu"), legacy = node_exists(ctx, "vfio/vfio");
	char cdev[4096], saved[sizeof(ctx->last_error)];
	int has_cdev = vfiox_device_cdev(ctx, dev, cdev, sizeof(cdev)) == 0;

	snprintf(saved, sizeof(saved), "%s", ctx->last_error);
	switch (wanted) {
	case VFIOX_BACKEND_TYPE1:
		if (!legacy)
			return vfiox__err(ctx, -ENOENT, "the type1 backend needs %s/vfio/vfio, which "
					  "does not exist (modprobe vfio-pci; a kernel without "
					  "CONFIG_VFIO_CONTAINER has only iommufd)", ctx->dev_root);
		say(why, len, "type1: asked for%s%s", "", "");
		return VFIOX_BACKEND_TYPE1;
	case VFIOX_BACKEND_IOMMUFD:
		if (need_vf_token)
			return vfiox__err(ctx, -EOPNOTSUPP, "%s needs a VF token, which the iommufd "
					  "backend cannot pass on this kernel interface: use type1",
					  dev);
		if (!iommu)
			return vfiox__err(ctx, -ENODEV, "the iommufd backend needs %s/iommu, which "
					  "does not exist (a kernel without CONFIG_IOMMUFD)",
					  ctx->dev_root);
		if (!has_cdev)
			return vfiox__err(ctx, -ENODEV, "the iommufd backend: %s", saved);
		say(why, len, "iommufd: asked for (cdev %s)%s", cdev, "");
		return VFIOX_BACKEND_IOMMUFD;
	case VFIOX_BACKEND_AUTO:
		break;
	default:
		return vfiox__err(ctx, -EINVAL, "unknown backend %d", wanted);
	}
	if (iommu && has_cdev && !need_vf_token) {
		say(why, len, "iommufd: %s/iommu and the cdev %s are there", ctx->dev_root, cdev);
		return VFIOX_BACKEND_IOMMUFD;
	}
	if (!legacy && iommu && need_vf_token)
		return vfiox__err(ctx, -EOPNOTSUPP, "%s needs a VF token, which only the type1 "
				  "backend passes, and this kernel has no /dev/vfio/vfio", dev);
	if (!legacy && !iommu)
		return vfiox__err(ctx, -ENOENT, "neither %s/vfio/vfio nor %s/iommu exists: VFIO is "
				  "not loaded (modprobe vfio-pci)", ctx->dev_root, ctx->dev_root);
	if (!legacy)
		return vfiox__err(ctx, -ENODEV, "%s: only iommufd is there, and %s", dev, saved);
	if (need_vf_token)
		say(why, len, "type1: the device needs a VF token, which only type1 passes%s%s", "",
		    "");
	else if (!iommu)
		say(why, len, "type1: no %s/iommu (a kernel without CONFIG_IOMMUFD)%s", ctx->dev_root,
		    "");
	else
		say(why, len, "type1: %s%s", saved, "");
	return VFIOX_BACKEND_TYPE1;
}

VFIOX_EXPORT int vfiox_device_open_any(struct vfiox_ctx *ctx, const char *dev, int backend,
				       const char *vf_token, struct vfiox_container **cp,
				       struct vfiox_vgroup **gp, struct vfiox_device **dp)
{
	struct vfiox_container *c = NULL;
	struct vfiox_vgroup *g = NULL;
	struct vfiox_device *d = NULL;
	char path[4096], id[32];
	int ret;

	ret = vfiox_backend_choose(ctx, dev, backend, vf_token != NULL, NULL, 0);
	if (ret < 0)
		return ret;
	if (ret == VFIOX_BACKEND_IOMMUFD) {
		ret = vfiox_iommufd_open(ctx, &c);
		if (ret == 0)
			ret = vfiox_device_open_cdev(c, dev, &d);
		if (ret)
			goto err_close;
		goto done;
	}
	if (!gp)
		return vfiox__err(ctx, -EINVAL, "%s opens over type1, which needs a place for its "
				  "group", dev);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", ctx->sysfs_root, dev);
	ret = vfiox__read_link_name(AT_FDCWD, path, id, sizeof(id));
	if (ret < 0)
		return vfiox__err(ctx, ret == -ENOENT ? -ENODEV : ret,
				  "%s has no IOMMU group (%s: %s): no such device, or the IOMMU is "
				  "off", dev, path, strerror(-ret));
	ret = vfiox_container_open(ctx, &c);
	if (ret == 0)
		ret = vfiox_vgroup_open(ctx, atoi(id), &g);
	if (ret == 0)
		ret = vfiox_container_attach(c, g);
	if (ret == 0)
		ret = vfiox_device_open(g, dev, vf_token, &d);
	if (ret)
		goto err_close;
done:
	*cp = c;
	if (gp)
		*gp = g;
	*dp = d;
	return 0;
err_close:
	/* Keep the first failure's words: closing may log its own. */
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	return ret;
}
