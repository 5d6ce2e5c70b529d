// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The type1 backend (VFIO containers and groups, the group/container interface of
 * linux/vfio.h) and what every device fd has, whichever backend opened it: info, regions,
 * interrupts. The iommufd backend is iommufd.c; both fill a struct vfiox_iommu_ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "internal.h"

/* Replies larger than this are not believed: no kernel sends capability chains this long. */
#define MAX_INFO_LEN (64 * 1024)

/* A region and the storage for its name ("region 12" is not a static string). */
struct region_alloc {
	struct vfiox_region r; /* first: vfiox_region_free() frees through it */
	char name[32];
};

/* ------------------------------------------------------------------ container */

static int container_setup(struct vfiox_ctx *ctx, int fd, const char *what,
			   struct vfiox_container **cp)
{
	struct vfiox_container *c;
	int ver, ret;

	ver = vfiox_sys_ioctl(fd, VFIO_GET_API_VERSION, NULL);
	if (ver < 0) {
		ret = vfiox__err(ctx, ver == -ENOTTY || ver == -EINVAL ? -EBADF : ver,
				 "%s is not a VFIO container (VFIO_GET_API_VERSION: %s)", what,
				 strerror(-ver));
		goto err_close;
	}
	if (ver != VFIO_API_VERSION) {
		ret = vfiox__err(ctx, -EPROTO, "%s speaks VFIO API version %d, this library %d",
				 what, ver, VFIO_API_VERSION);
		goto err_close;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_close;
	}
	c->ctx = ctx;
	c->ops = &vfiox__type1_ops;
	c->fd = fd;
	if (vfiox_sys_ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(long)VFIO_TYPE1v2_IOMMU) > 0)
		c->models |= 1u << VFIOX_IOMMU_TYPE1V2;
	if (vfiox_sys_ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(long)VFIO_TYPE1_IOMMU) > 0)
		c->models |= 1u << VFIOX_IOMMU_TYPE1;
	if (!c->models) {
		free(c);
		ret = vfiox__err(ctx, -ENODEV,
				 "%s offers no type1 IOMMU: load vfio_iommu_type1 "
				 "(modprobe vfio_iommu_type1) and check that the IOMMU is on", what);
		goto err_close;
	}
	*cp = c;
	return 0;
err_close:
	vfiox_sys_close(fd);
	return ret;
}

VFIOX_EXPORT int vfiox_container_open(struct vfiox_ctx *ctx, struct vfiox_container **cp)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/vfio/vfio", ctx->dev_root);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR, 0);
	if (fd == -ENOENT)
		return vfiox__err(ctx, fd,
				  "%s does not exist: VFIO is not loaded (modprobe vfio-pci)", path);
	if (fd == -EACCES || fd == -EPERM)
		return vfiox__err(ctx, fd,
				  "no permission to open %s: run as root, or give your user access "
				  "to /dev/vfio (e.g. a udev rule setting its group)", path);
	if (fd < 0)
		return vfiox__err(ctx, fd, "cannot open %s: %s", path, strerror(-fd));
	return container_setup(ctx, fd, path, cp);
}

VFIOX_EXPORT int vfiox_container_adopt(struct vfiox_ctx *ctx, int fd, struct vfiox_container **cp)
{
	char what[32];

	if (fd < 0)
		return vfiox__err(ctx, -EBADF, "container fd %d is not an open file", fd);
	snprintf(what, sizeof(what), "fd %d", fd);
	return container_setup(ctx, fd, what, cp);
}

VFIOX_EXPORT void vfiox_container_close(struct vfiox_container *c)
{
	if (!c)
		return;
	/* Groups still attached lose their container here, not later through a stale pointer. */
	while (c->groups)
		vfiox_vgroup_detach(c->groups);
	/* Devices still open keep working (the kernel holds the iommufd) but lose the link. */
	while (c->devices) {
		struct vfiox_device *d = c->devices;

		c->devices = d->ioas_next;
		d->ioas = NULL;
		d->ioas_next = NULL;
	}
	vfiox__dma_release(c);
	vfiox_sys_close(c->fd);
	free(c);
}

VFIOX_EXPORT int vfiox_container_fd(const struct vfiox_container *c)
{
	return c->fd;
}

VFIOX_EXPORT unsigned int vfiox_container_models(const struct vfiox_container *c)
{
	return c->models;
}

VFIOX_EXPORT int vfiox_container_model(const struct vfiox_container *c)
{
	return c->model;
}

VFIOX_EXPORT int vfiox_container_check_extension(struct vfiox_container *c, int ext)
{
	int ret = vfiox_sys_ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)(long)ext);

	if (ret < 0)
		return vfiox__err(c->ctx, ret, "VFIO_CHECK_EXTENSION(%d): %s", ext, strerror(-ret));
	return ret;
}

/*
 * Query, then resize: VFIO_*_GET_INFO says in argsz how much room its capability chain
 * needs. Returns the reply in *bufp (caller frees) and its valid length; on failure the
 * last error starts with @what.
 */
int vfiox__get_info(struct vfiox_ctx *ctx, int fd, unsigned long req, const void *init,
		    size_t fixed, const char *what, uint8_t **bufp, size_t *lenp)
{
	size_t size = fixed;
	uint8_t *buf = NULL;
	int attempt, ret;

	for (attempt = 0; attempt < 2; attempt++) {
		uint8_t *nbuf = realloc(buf, size);
		uint32_t argsz;

		if (!nbuf) {
			free(buf);
			return vfiox__err(ctx, -ENOMEM, "out of memory");
		}
		buf = nbuf;
		memset(buf, 0, size);
		memcpy(buf, init, fixed);
		argsz = (uint32_t)size;
		memcpy(buf, &argsz, sizeof(argsz));
		ret = vfiox_sys_ioctl(fd, req, buf);
		if (ret < 0) {
			free(buf);
			return vfiox__err(ctx, ret, "%s: %s", what, strerror(-ret));
		}
		memcpy(&argsz, buf, sizeof(argsz));
		if (argsz <= size) {
			/* Past what the kernel wrote, the buffer holds our zeroes: all of it is valid. */
			*bufp = buf;
			*lenp = size;
			return 0;
		}
		if (argsz > MAX_INFO_LEN) {
			free(buf);
			return vfiox__err(ctx, -EPROTO, "%s: the kernel asks for %u bytes, "
						       "more than the %d any chain needs", what, argsz,
					  MAX_INFO_LEN);
		}
		size = argsz;
	}
	free(buf);
	return vfiox__err(ctx, -EPROTO, "%s: the reply kept growing (argsz)", what);
}

VFIOX_EXPORT int vfiox_container_iommu_info(struct vfiox_container *c,
					    struct vfiox_iommu_info **infop)
{
	if (!c->ops->ready(c))
		return vfiox__err(c->ctx, -EINVAL, "the IOMMU info needs %s first",
				  c->ops->backend == VFIOX_BACKEND_IOMMUFD
					  ? "a device attached to the IOAS"
					  : "a group attached to the container");
	return c->ops->info(c, infop);
}

static int type1_info(struct vfiox_container *c, struct vfiox_iommu_info **infop)
{
	struct vfio_iommu_type1_info init = { 0 };
	struct vfiox_iommu_info *info;
	char why[200];
	uint8_t *buf;
	size_t len;
	int ret;

	ret = vfiox__get_info(c->ctx, c->fd, VFIO_IOMMU_GET_INFO, &init, sizeof(init),
		       "IOMMU info (VFIO_IOMMU_GET_INFO)", &buf, &len);
	if (ret)
		return ret;
	info = calloc(1, sizeof(*info));
	if (!info) {
		free(buf);
		return vfiox__err(c->ctx, -ENOMEM, "out of memory");
	}
	ret = vfiox__parse_iommu_info(buf, len, info, why, sizeof(why));
	free(buf);
	if (ret) {
		free(info);
		return vfiox__err(c->ctx, ret, "malformed IOMMU info from the kernel: %s", why);
	}
	*infop = info;
	return 0;
}

static bool type1_ready(const struct vfiox_container *c)
{
	return c->model == VFIOX_IOMMU_TYPE1 || c->model == VFIOX_IOMMU_TYPE1V2;
}

static int type1_map(struct vfiox_container *c, uint64_t vaddr, uint64_t iova, uint64_t size,
		     unsigned int flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = (flags & VFIOX_DMA_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
			 (flags & VFIOX_DMA_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};

	return vfiox_sys_ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int type1_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return vfiox_sys_ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

const struct vfiox_iommu_ops vfiox__type1_ops = {
	.backend = VFIOX_BACKEND_TYPE1,
	.map_call = "VFIO_IOMMU_MAP_DMA",
	.unmap_call = "VFIO_IOMMU_UNMAP_DMA",
	.ready = type1_ready,
	.info = type1_info,
	.map = type1_map,
	.unmap = type1_unmap,
};

VFIOX_EXPORT void vfiox_iommu_info_free(struct vfiox_iommu_info *info)
{
	if (!info)
		return;
	free(info->iova_ranges);
	free(info);
}

/* ------------------------------------------------------------------ groups */

/* Names every member that keeps the group from being viable, for the message. */
static void describe_blockers(struct vfiox_ctx *ctx, int id, char *buf, size_t len)
{
	struct vfiox_scan *scan;
	struct vfiox_group *g;
	char saved[sizeof(ctx->last_error)];
	size_t i, n = 0;

	buf[0] = '\0';
	memcpy(saved, ctx->last_error, sizeof(saved));
	if (vfiox_scan_new(ctx, &scan) == 0) {
		if (vfiox_scan_find_group(scan, id, &g) == 0) {
			for (i = 0; i < vfiox_group_num_blockers(g) && n < len; i++) {
				struct vfiox_pci_dev *b = vfiox_group_blocker(g, i);
				int k = snprintf(buf + n, len - n, "%s%s (bound to %s)", i ? ", " : "",
						 vfiox_pci_dev_name(b), vfiox_pci_dev_driver(b));

				n += k > 0 ? (size_t)k : 0;
			}
		}
		vfiox_scan_free(scan);
	}
	memcpy(ctx->last_error, saved, sizeof(saved));
}

static int vgroup_setup(struct vfiox_ctx *ctx, int fd, int id, const char *what,
			struct vfiox_vgroup **gp)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfiox_vgroup *g;
	char who[400];
	int ret;

	ret = vfiox_sys_ioctl(fd, VFIO_GROUP_GET_STATUS, &st);
	if (ret < 0) {
		ret = vfiox__err(ctx, ret == -ENOTTY || ret == -EINVAL ? -EBADF : ret,
				 "%s is not a VFIO group (VFIO_GROUP_GET_STATUS: %s)", what,
				 strerror(-ret));
		goto err_close;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		describe_blockers(ctx, id, who, sizeof(who));
		ret = vfiox__err(ctx, -EPERM,
				 "IOMMU group %d is not viable: %s; every member must be bound to "
				 "vfio-pci, pci-stub, pcieport or no driver (unbind those devices, or bind them "
				 "to vfio-pci; 'vfioctl show %d' lists the members)",
				 id, who[0] ? who : "a member is bound to a host driver", id);
		goto err_close;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_close;
	}
	g->ctx = ctx;
	g->fd = fd;
	g->id = id;
	*gp = g;
	return 0;
err_close:
	vfiox_sys_close(fd);
	return ret;
}

VFIOX_EXPORT int vfiox_vgroup_open(struct vfiox_ctx *ctx, int id, struct vfiox_vgroup **gp)
{
	char path[4096], holders[300];
	int fd;

	if (id < 0)
		return vfiox__err(ctx, -EINVAL, "%d is not an IOMMU group number", id);
	snprintf(path, sizeof(path), "%s/vfio/%d", ctx->dev_root, id);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR, 0);
	if (fd == -ENOENT)
		return vfiox__err(ctx, fd,
				  "%s does not exist: no device of IOMMU group %d is bound to vfio-pci "
				  "(or there is no such group: see 'vfioctl list')", path, id);
	if (fd == -EACCES || fd == -EPERM)
		return vfiox__err(ctx, fd,
				  "no permission to open %s: run as root, or give your user the group "
				  "(e.g. chown USER %s, or a udev rule)", path, path);
	if (fd == -EBUSY) {
		vfiox__find_holders(ctx, path, holders, sizeof(holders));
		return vfiox__err(ctx, fd, "IOMMU group %d (%s) is in use by %s: a group can be open "
				  "in one process at a time", id, path,
				  holders[0] ? holders : "another process (not visible to us)");
	}
	if (fd < 0)
		return vfiox__err(ctx, fd, "cannot open %s: %s", path, strerror(-fd));
	return vgroup_setup(ctx, fd, id, path, gp);
}

VFIOX_EXPORT int vfiox_vgroup_adopt(struct vfiox_ctx *ctx, int fd, int id, struct vfiox_vgroup **gp)
{
	char what[48];

	if (fd < 0)
		return vfiox__err(ctx, -EBADF, "group fd %d is not an open file", fd);
	snprintf(what, sizeof(what), "fd %d (group %d)", fd, id);
	return vgroup_setup(ctx, fd, id, what, gp);
}

VFIOX_EXPORT void vfiox_vgroup_close(struct vfiox_vgroup *g)
{
	if (!g)
		return;
	vfiox_vgroup_detach(g);
	vfiox_sys_close(g->fd);
	free(g);
}

VFIOX_EXPORT int vfiox_vgroup_fd(const struct vfiox_vgroup *g)
{
	return g->fd;
}

VFIOX_EXPORT int vfiox_vgroup_id(const struct vfiox_vgroup *g)
{
	return g->id;
}

VFIOX_EXPORT int vfiox_vgroup_status(struct vfiox_vgroup *g, bool *viable, bool *container_set)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int ret = vfiox_sys_ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st);

	if (ret < 0)
		return vfiox__err(g->ctx, ret, "VFIO_GROUP_GET_STATUS on group %d: %s", g->id,
				  strerror(-ret));
	*viable = st.flags & VFIO_GROUP_FLAGS_VIABLE;
	*container_set = st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET;
	return 0;
}

VFIOX_EXPORT int vfiox_container_attach(struct vfiox_container *c, struct vfiox_vgroup *g)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	int ret, model;

	if (c->ops->backend == VFIOX_BACKEND_IOMMUFD)
		return vfiox__err(c->ctx, -EINVAL, "cannot attach IOMMU group %d to an iommufd "
				  "container: groups belong to type1 containers (open the devices "
				  "by their cdevs: vfiox_device_open_cdev)", g->id);
	if (g->container)
		return vfiox__err(c->ctx, -EBUSY, "IOMMU group %d is already attached to a container",
				  g->id);
	/*
	 * Fds passed in by a management tool may come attached already: the group says
	 * CONTAINER_SET and the container has its IOMMU. Take that as attached to @c (the
	 * kernel cannot tell us to which container). It does not report the model either;
	 * VMMs set type1v2 whenever it is offered, so that is what we assume.
	 */
	if (vfiox_sys_ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st) == 0 &&
	    (st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)) {
		if (vfiox_sys_ioctl(c->fd, VFIO_IOMMU_GET_INFO, &probe) < 0)
			return vfiox__err(c->ctx, -EBUSY, "IOMMU group %d is attached to another "
					  "container", g->id);
		if (!c->model)
			c->model = c->models & (1u << VFIOX_IOMMU_TYPE1V2) ? VFIOX_IOMMU_TYPE1V2
									   : VFIOX_IOMMU_TYPE1;
		/*
		 * The fd is shared with whoever attached it: detaching on close would take the
		 * group (and, with the last one, every mapping) from them and their other peers.
		 */
		g->borrowed = true;
		goto linked;
	}
	ret = vfiox_sys_ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
	if (ret < 0)
		return vfiox__err(c->ctx, ret, "cannot attach IOMMU group %d to the container: %s%s",
				  g->id, strerror(-ret),
				  ret == -EPERM ? " (the group is not viable: see 'vfioctl show')" : "");
	if (!c->model) {
		model = c->models & (1u << VFIOX_IOMMU_TYPE1V2) ? VFIOX_IOMMU_TYPE1V2
								  : VFIOX_IOMMU_TYPE1;
		ret = vfiox_sys_ioctl(c->fd, VFIO_SET_IOMMU, (void *)(long)model);
		if (ret < 0) {
			vfiox_sys_ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
			return vfiox__err(c->ctx, ret, "cannot set the IOMMU model %s: %s",
					  model == VFIOX_IOMMU_TYPE1V2 ? "type1v2" : "type1",
					  strerror(-ret));
		}
		c->model = model;
	}
linked:
	g->container = c;
	g->next = c->groups;
	c->groups = g;
	return 0;
}

VFIOX_EXPORT int vfiox_vgroup_detach(struct vfiox_vgroup *g)
{
	struct vfiox_container *c = g->container;
	struct vfiox_vgroup **pp;
	int ret;

	if (!c)
		return 0;
	ret = g->borrowed ? 0 : vfiox_sys_ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	if (ret < 0)
		vfiox__err(g->ctx, ret, "cannot detach IOMMU group %d: %s (are its devices "
			   "still open?)", g->id, strerror(-ret));
	/*
	 * Forget the link either way: when UNSET fails the kernel keeps the group in the
	 * container until the group fd is closed, which vfiox_vgroup_close() does.
	 */
	for (pp = &c->groups; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	g->container = NULL;
	g->next = NULL;
	g->borrowed = false;
	/* The kernel drops the IOMMU model, and every DMA mapping, with the last group. */
	if (!c->groups) {
		c->model = VFIOX_IOMMU_NONE;
		vfiox__dma_release(c);
	}
	return ret < 0 ? ret : 0;
}

/* ------------------------------------------------------------------ devices */

static bool is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
					 (c >= 'A' && c <= 'F')))
			return false;
	}
	return s[36] == '\0';
}

int vfiox__device_new(struct vfiox_ctx *ctx, int fd, const char *name, struct vfiox_device **dp)
{
	struct vfiox_device *d = calloc(1, sizeof(*d));

	if (!d || !(d->name = strdup(name ? name : "?"))) {
		free(d);
		vfiox_sys_close(fd);
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	}
	d->ctx = ctx;
	d->fd = fd;
	*dp = d;
	return 0;
}

VFIOX_EXPORT int vfiox_device_open(struct vfiox_vgroup *g, const char *name, const char *vf_token,
				   struct vfiox_device **dp)
{
	char arg[128];
	int fd, ret, n;

	if (!g->container)
		return vfiox__err(g->ctx, -EINVAL, "IOMMU group %d must be attached to a container "
				  "before its devices are opened", g->id);
	if (vf_token && !is_uuid(vf_token))
		return vfiox__err(g->ctx, -EINVAL, "vf_token '%s' is not a UUID "
				  "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", vf_token);
	n = vf_token ? snprintf(arg, sizeof(arg), "%s vf_token=%s", name, vf_token)
		     : snprintf(arg, sizeof(arg), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(arg))
		return vfiox__err(g->ctx, -ENAMETOOLONG, "device name '%s'%s is too long", name,
				  vf_token ? " with its vf_token" : "");
	fd = vfiox_sys_ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, arg);
	if (fd < 0) {
		/* With a token, EINVAL may also mean the token does not apply to this device. */
		if (fd == -EINVAL && vf_token)
			return vfiox__err(g->ctx, fd, "the kernel refused %s with a vf_token: is it a "
					  "VF (or PF) on vfio-pci in IOMMU group %d, and the token its "
					  "PF's?", name, g->id);
		if (fd == -ENODEV || fd == -EINVAL)
			return vfiox__err(g->ctx, -ENODEV, "%s is not a device of IOMMU group %d "
					  "bound to vfio-pci%s", name, g->id,
					  vf_token ? "" : " (a VF whose PF is on vfio-pci needs a vf_token)");
		if (fd == -EACCES && !vf_token)
			return vfiox__err(g->ctx, fd, "%s needs a vf_token: its PF is bound to "
					  "vfio-pci", name);
		return vfiox__err(g->ctx, fd, "cannot open %s: %s", name, strerror(-fd));
	}
	/* The kernel's device fd has no O_CLOEXEC; set it before anyone can fork. */
	ret = vfiox_sys_set_cloexec(fd);
	if (ret < 0) {
		vfiox_sys_close(fd);
		return vfiox__err(g->ctx, ret, "FD_CLOEXEC on %s: %s", name, strerror(-ret));
	}
	return vfiox__device_new(g->ctx, fd, name, dp);
}

VFIOX_EXPORT int vfiox_device_adopt(struct vfiox_ctx *ctx, int fd, const char *name,
				    struct vfiox_device **dp)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	if (fd < 0)
		return vfiox__err(ctx, -EBADF, "device fd %d is not an open file", fd);
	ret = vfiox_sys_ioctl(fd, VFIO_DEVICE_GET_INFO, &info);
	if (ret < 0) {
		vfiox_sys_close(fd);
		return vfiox__err(ctx, ret == -ENOTTY || ret == -EINVAL ? -EBADF : ret,
				  "fd %d is not a VFIO device (VFIO_DEVICE_GET_INFO: %s)", fd,
				  strerror(-ret));
	}
	return vfiox__device_new(ctx, fd, name, dp);
}

VFIOX_EXPORT void vfiox_device_close(struct vfiox_device *d)
{
	if (!d)
		return;
	vfiox__irq_release(d);
	vfiox_sys_close(d->fd);
	/* Closing the cdev fd detached it from the IOAS and unbound it. */
	if (d->ioas) {
		struct vfiox_device **pp;

		for (pp = &d->ioas->devices; *pp; pp = &(*pp)->ioas_next)
			if (*pp == d) {
				*pp = d->ioas_next;
				d->ioas->num_devices--;
				break;
			}
	}
	free(d->name);
	free(d);
}

VFIOX_EXPORT int vfiox_device_fd(const struct vfiox_device *d)
{
	return d->fd;
}

VFIOX_EXPORT const char *vfiox_device_name(const struct vfiox_device *d)
{
	return d->name;
}

VFIOX_EXPORT int vfiox_device_info(struct vfiox_device *d, struct vfiox_device_info *info)
{
	struct vfio_device_info init = { 0 };
	char why[200], what[128];
	uint8_t *buf;
	size_t len;
	int ret;

	snprintf(what, sizeof(what), "%s: VFIO_DEVICE_GET_INFO", d->name);
	ret = vfiox__get_info(d->ctx, d->fd, VFIO_DEVICE_GET_INFO, &init, sizeof(init), what, &buf,
		       &len);
	if (ret)
		return ret;
	ret = vfiox__parse_device_info(buf, len, info, why, sizeof(why));
	free(buf);
	if (ret)
		return vfiox__err(d->ctx, ret, "%s: malformed device info from the kernel: %s",
				  d->name, why);
	return 0;
}

VFIOX_EXPORT int vfiox_device_region(struct vfiox_device *d, uint32_t index,
				     struct vfiox_region **rp)
{
	struct vfio_region_info init = { .index = index };
	struct region_alloc *ra;
	struct vfiox_region *r;
	char why[200], what[128];
	uint8_t *buf;
	size_t len;
	int ret;

	snprintf(what, sizeof(what), "%s: region %u", d->name, index);
	ret = vfiox__get_info(d->ctx, d->fd, VFIO_DEVICE_GET_REGION_INFO, &init, sizeof(init), what,
		       &buf, &len);
	if (ret)
		return ret;
	ra = calloc(1, sizeof(*ra));
	if (!ra) {
		free(buf);
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	}
	r = &ra->r;
	ret = vfiox__parse_region_info(buf, len, r, why, sizeof(why));
	free(buf);
	if (ret) {
		free(ra);
		return vfiox__err(d->ctx, ret, "%s: malformed info for region %u from the kernel: %s",
				  d->name, index, why);
	}
	if (r->index != index) {
		uint32_t got = r->index;

		vfiox_region_free(r);
		return vfiox__err(d->ctx, -EPROTO, "%s: asked for region %u, the kernel answered "
				  "for %u", d->name, index, got);
	}
	snprintf(ra->name, sizeof(ra->name), "%s",
		 vfiox__region_name(index, r->has_type, r->type, r->subtype));
	r->name = ra->name;
	*rp = r;
	return 0;
}

VFIOX_EXPORT void vfiox_region_free(struct vfiox_region *r)
{
	if (!r)
		return;
	free(r->sparse);
	free(r);
}

VFIOX_EXPORT int vfiox_device_irq(struct vfiox_device *d, uint32_t index, struct vfiox_irq *irq)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	int ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);

	if (ret < 0)
		return vfiox__err(d->ctx, ret, "%s: irq index %u: %s", d->name, index,
				  strerror(-ret));
	if (info.index != index)
		return vfiox__err(d->ctx, -EPROTO, "%s: asked for irq index %u, the kernel answered "
				  "for %u", d->name, index, info.index);
	*irq = (struct vfiox_irq){ .index = index, .name = vfiox__irq_name(index),
				   .flags = info.flags, .count = info.count };
	return 0;
}
