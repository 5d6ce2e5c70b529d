// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hand-over bundles: the container, groups and device fds a set of devices needs (type1),
 * or an iommufd and the devices' cdevs (iommufd), opened here for handing over or adopted
 * here after arriving from elsewhere. This file moves bytes and fds and checks what
 * arrived; the message itself is handover-msg.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/vfio.h>

#include "handover-msg.h"
#include "internal.h"

/* /dev/vfio/vfio is misc device 10:196 (VFIO_MINOR) when the node itself is not visible. */
#define VFIO_MISC_MAJOR 10
#define VFIO_MISC_MINOR 196

struct vfiox_bundle {
	struct vfiox_ctx *ctx;
	int backend; /* VFIOX_BACKEND_TYPE1 or VFIOX_BACKEND_IOMMUFD */
	struct vfiox_ho_desc desc; /* one entry per fd, in fd order */
	int fds[VFIOX_HANDOVER_MAX_FDS]; /* mirrors of the handles' fds, or the raw fds */
	/*
	 * An iommufd bundle opened for handing over holds plain fds, no handles: the
	 * receiver allocates the IOAS and binds the cdevs (a cdev binds once).
	 */
	size_t num_raw;
	char names[VFIOX_HANDOVER_MAX_FDS][VFIOX_HO_NAME_LEN];
	struct vfiox_container *container;
	struct vfiox_vgroup *groups[VFIOX_HANDOVER_MAX_FDS];
	size_t num_groups;
	struct vfiox_device *devices[VFIOX_HANDOVER_MAX_FDS];
	size_t num_devices;
};

VFIOX_EXPORT void vfiox_bundle_free(struct vfiox_bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->num_raw; i++)
		vfiox_sys_close(b->fds[i]);
	for (i = 0; i < b->num_devices; i++)
		vfiox_device_close(b->devices[i]);
	for (i = 0; i < b->num_groups; i++)
		vfiox_vgroup_close(b->groups[i]);
	vfiox_container_close(b->container);
	free(b);
}

static int bundle_new(struct vfiox_ctx *ctx, struct vfiox_bundle **bp)
{
	*bp = calloc(1, sizeof(**bp));
	if (!*bp)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	(*bp)->ctx = ctx;
	(*bp)->backend = VFIOX_BACKEND_TYPE1;
	return 0;
}

/* Entry @i of the description with its fd; the name follows from the entry. */
static void bundle_set(struct vfiox_bundle *b, size_t i, int kind, int group, const char *dev,
		       int fd)
{
	struct vfiox_ho_entry *e = &b->desc.e[i];
	size_t len = dev ? strnlen(dev, sizeof(e->dev) - 1) : 0;

	e->kind = kind;
	e->group = group;
	memcpy(e->dev, dev ? dev : "", len);
	e->dev[len] = '\0';
	b->fds[i] = fd;
	vfiox__ho_fdname(e, b->names[i], sizeof(b->names[i]));
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

struct named_dev {
	char name[VFIOX_PCI_ADDR_STRLEN];
	int group;
};

static int cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct named_dev *)a)->name, ((const struct named_dev *)b)->name);
}

/* Each device's canonical name and group, sorted, duplicates dropped: the count, or -errno. */
static int resolve_devices(struct vfiox_ctx *ctx, const char *const *devices, size_t n,
			   struct named_dev *out)
{
	struct vfiox_scan *scan;
	size_t i, k = 0;
	int ret;

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct vfiox_pci_dev *dev;

		ret = vfiox_scan_find_dev(scan, devices[i], &dev);
		if (ret)
			goto out;
		if (vfiox_pci_dev_iommu_group(dev) < 0) {
			ret = vfiox__err(ctx, -ENODEV, "%s is in no IOMMU group: the IOMMU is off "
					 "('vfioctl check' says how to turn it on)",
					 vfiox_pci_dev_name(dev));
			goto out;
		}
		snprintf(out[k].name, sizeof(out[k].name), "%s", vfiox_pci_dev_name(dev));
		out[k++].group = vfiox_pci_dev_iommu_group(dev);
	}
	qsort(out, k, sizeof(*out), cmp_dev);
	for (i = 0, n = k, k = 0; i < n; i++)
		if (!k || strcmp(out[k - 1].name, out[i].name))
			out[k++] = out[i];
	ret = (int)k;
out:
	vfiox_scan_free(scan);
	return ret;
}

/* The container, the groups @ids and, with VFIOX_BUNDLE_DEVICE_FDS, the devices @devs. */
static int open_type1(struct vfiox_ctx *ctx, const int *ids, size_t nids,
		      const struct named_dev *devs, size_t ndevs, unsigned int flags,
		      struct vfiox_bundle **bp)
{
	struct vfiox_bundle *b;
	size_t i, n;
	int ret;

	if (1 + nids + (flags & VFIOX_BUNDLE_DEVICE_FDS ? ndevs : 0) > VFIOX_HANDOVER_MAX_FDS)
		return vfiox__err(ctx, -EINVAL, "the container, %zu groups and %zu device fds are "
				  "more than the %d fds a bundle holds", nids,
				  flags & VFIOX_BUNDLE_DEVICE_FDS ? ndevs : 0,
				  VFIOX_HANDOVER_MAX_FDS);
	ret = bundle_new(ctx, &b);
	if (ret)
		return ret;
	ret = vfiox_container_open(ctx, &b->container);
	if (ret)
		goto err_free;
	n = 0;
	bundle_set(b, n++, VFIOX_HANDOVER_CONTAINER, -1, NULL, b->container->fd);
	for (i = 0; i < nids; i++) {
		ret = vfiox_vgroup_open(ctx, ids[i], &b->groups[b->num_groups]);
		if (ret)
			goto err_free;
		b->num_groups++;
		ret = vfiox_container_attach(b->container, b->groups[i]);
		if (ret)
			goto err_free;
		bundle_set(b, n++, VFIOX_HANDOVER_GROUP, ids[i], NULL, b->groups[i]->fd);
	}
	for (i = 0; (flags & VFIOX_BUNDLE_DEVICE_FDS) && i < ndevs; i++) {
		struct vfiox_vgroup *g = vfiox_bundle_group(b, devs[i].group);

		ret = vfiox_device_open(g, devs[i].name, NULL, &b->devices[b->num_devices]);
		if (ret)
			goto err_free;
		b->num_devices++;
		bundle_set(b, n++, VFIOX_HANDOVER_DEVICE, devs[i].group, devs[i].name,
			   b->devices[i]->fd);
	}
	b->desc.num = n;
	b->desc.model = b->container->model;
	*bp = b;
	return 0;
err_free:
	vfiox_bundle_free(b);
	return ret;
}

/* "pid 12 (qemu) holds /dev/vfio/7", or "" when nobody is seen holding @path. */
static void held_by(struct vfiox_ctx *ctx, const char *path, char *buf, size_t len)
{
	char who[300];

	buf[0] = '\0';
	vfiox__find_holders(ctx, path, who, sizeof(who));
	if (who[0])
		snprintf(buf, len, "%.300s has %.500s open", who, path);
}

/*
 * Whether device @d can go to a receiver as a cdev: its group viable (the kernel's bind
 * claims the whole group for DMA), not open through /dev/vfio/N, its cdev open nowhere
 * else. The cdev's path into @cdev. 0 or -errno with the reason.
 */
static int cdev_ready(struct vfiox_ctx *ctx, struct vfiox_scan *scan, const struct named_dev *d,
		      char *cdev, size_t len)
{
	struct vfiox_group *g;
	char node[4096], who[1000], blockers[400];
	size_t i, n = 0;
	int ret;

	ret = vfiox_scan_find_group(scan, d->group, &g);
	if (ret)
		return ret;
	if (!vfiox_group_viable(g)) {
		blockers[0] = '\0';
		for (i = 0; i < vfiox_group_num_blockers(g) && n < sizeof(blockers); i++) {
			struct vfiox_pci_dev *p = vfiox_group_blocker(g, i);
			int k = snprintf(blockers + n, sizeof(blockers) - n, "%s%s (bound to %s)",
					 i ? ", " : "", vfiox_pci_dev_name(p),
					 vfiox_pci_dev_driver(p));

			n += k > 0 ? (size_t)k : 0;
		}
		return vfiox__err(ctx, -EPERM, "IOMMU group %d of %s is not viable: %s; a cdev binds "
				  "only when every member of its group is on vfio-pci, pci-stub, "
				  "pcieport or no driver ('vfioctl show %d' lists the members)",
				  d->group, d->name, blockers, d->group);
	}
	snprintf(node, sizeof(node), "%s/vfio/%d", ctx->dev_root, d->group);
	held_by(ctx, node, who, sizeof(who));
	if (who[0])
		return vfiox__err(ctx, -EBUSY, "%s cannot be handed over by its cdev: %s (its IOMMU "
				  "group, the type1 way), and the receiver's bind would fail; close "
				  "that first, or use the type1 backend", d->name, who);
	ret = vfiox_device_cdev(ctx, d->name, cdev, len);
	if (ret)
		return ret;
	held_by(ctx, cdev, who, sizeof(who));
	if (who[0])
		return vfiox__err(ctx, -EBUSY, "%s cannot be handed over by its cdev: %s already "
				  "(a device binds to one iommufd, once)", d->name, who);
	return 0;
}

/* Adds to @devs (holding @n, room for @max) the members of group @id with a VFIO driver. */
static int group_members(struct vfiox_ctx *ctx, struct vfiox_scan *scan, int id,
			 struct named_dev *devs, size_t *n, size_t max)
{
	struct vfiox_group *g;
	size_t i, found = 0;
	int ret;

	ret = vfiox_scan_find_group(scan, id, &g);
	if (ret)
		return ret;
	for (i = 0; i < vfiox_group_num_devs(g); i++) {
		struct vfiox_pci_dev *p = vfiox_group_dev(g, i);
		const char *drv = vfiox_pci_dev_driver(p);

		if (!drv || !strstr(drv, "vfio"))
			continue;
		if (*n == max)
			return vfiox__err(ctx, -EINVAL, "the iommufd and the cdevs are more than the "
					  "%d fds a bundle holds", VFIOX_HANDOVER_MAX_FDS);
		snprintf(devs[*n].name, sizeof(devs[*n].name), "%s", vfiox_pci_dev_name(p));
		devs[(*n)++].group = id;
		found++;
	}
	if (!found)
		return vfiox__err(ctx, -ENODEV, "IOMMU group %d has no device on vfio-pci: an "
				  "iommufd bundle holds the cdevs of its devices (vfioctl bind "
				  "--group %d)", id, id);
	return 0;
}

static int open_node(struct vfiox_ctx *ctx, const char *path, const char *what)
{
	int fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);

	if (fd >= 0)
		return fd;
	if (fd == -ENOENT || fd == -ENXIO || fd == -ENODEV)
		return vfiox__err(ctx, -ENODEV, "%s does not exist (%s): %s", path, what,
				  strstr(what, "iommufd") ? "this kernel has no iommufd "
				  "(CONFIG_IOMMUFD); use the type1 backend" :
				  "is devtmpfs mounted there?");
	if (fd == -EACCES || fd == -EPERM)
		return vfiox__err(ctx, fd, "no permission to open %s (%s): run as root", path, what);
	return vfiox__err(ctx, fd, "cannot open %s (%s): %s", path, what, strerror(-fd));
}

/*
 * The iommufd (/dev/iommu, nothing allocated in it) and the cdev of each device of
 * @devs and of the groups @ids, by address; never bound.
 */
static int open_iommufd(struct vfiox_ctx *ctx, const int *ids, size_t nids,
			const struct named_dev *named, size_t nnamed, struct vfiox_bundle **bp)
{
	struct named_dev devs[VFIOX_HANDOVER_MAX_FDS];
	char path[4096];
	struct vfiox_scan *scan;
	struct vfiox_bundle *b = NULL;
	size_t i, n = 0, k = 0;
	int fd, ret;

	if (nnamed > VFIOX_HANDOVER_MAX_FDS - 1)
		return vfiox__err(ctx, -EINVAL, "the iommufd and %zu cdevs are more than the %d "
				  "fds a bundle holds", nnamed, VFIOX_HANDOVER_MAX_FDS);
	memcpy(devs, named, nnamed * sizeof(*named));
	n = nnamed;
	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return ret;
	for (i = 0; i < nids && !ret; i++)
		ret = group_members(ctx, scan, ids[i], devs, &n, VFIOX_HANDOVER_MAX_FDS - 1);
	if (ret)
		goto out_scan;
	qsort(devs, n, sizeof(*devs), cmp_dev);
	for (i = 0; i < n; i++)
		if (!k || strcmp(devs[k - 1].name, devs[i].name))
			devs[k++] = devs[i];
	n = k;
	ret = bundle_new(ctx, &b);
	if (ret)
		goto out_scan;
	b->backend = VFIOX_BACKEND_IOMMUFD;
	b->desc.model = VFIOX_IOMMU_IOMMUFD;
	/* Every device fit first: a refusal names the device, not a missing /dev/iommu. */
	for (i = 0; i < n; i++) {
		ret = cdev_ready(ctx, scan, &devs[i], path, sizeof(path));
		if (ret)
			goto err_free;
	}
	snprintf(path, sizeof(path), "%s/iommu", ctx->dev_root);
	fd = open_node(ctx, path, "the iommufd");
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	bundle_set(b, b->num_raw++, VFIOX_HANDOVER_IOMMUFD, -1, NULL, fd);
	for (i = 0; i < n; i++) {
		char what[64 + VFIOX_PCI_ADDR_STRLEN];

		ret = vfiox_device_cdev(ctx, devs[i].name, path, sizeof(path));
		if (ret)
			goto err_free;
		snprintf(what, sizeof(what), "the cdev of %.*s", VFIOX_PCI_ADDR_STRLEN, devs[i].name);
		fd = open_node(ctx, path, what);
		if (fd < 0) {
			ret = fd;
			goto err_free;
		}
		bundle_set(b, b->num_raw++, VFIOX_HANDOVER_CDEV, devs[i].group, devs[i].name, fd);
	}
	b->desc.num = b->num_raw;
	vfiox_scan_free(scan);
	*bp = b;
	return 0;
err_free:
	vfiox_bundle_free(b);
out_scan:
	vfiox_scan_free(scan);
	return ret;
}

/*
 * Auto: iommufd when every device the bundle would hold offers it (vfiox_backend_choose()),
 * type1 otherwise.
 */
static int choose_backend(struct vfiox_ctx *ctx, const int *groups, size_t num_groups,
			  const struct named_dev *devs, size_t ndevs)
{
	char saved[sizeof(ctx->last_error)], why[300];
	struct vfiox_scan *scan = NULL;
	struct vfiox_group *g;
	int backend = VFIOX_BACKEND_IOMMUFD;
	size_t i, k, offered = 0;

	memcpy(saved, ctx->last_error, sizeof(saved));
	for (i = 0; i < ndevs && backend == VFIOX_BACKEND_IOMMUFD; i++, offered++)
		if (vfiox_backend_choose(ctx, devs[i].name, VFIOX_BACKEND_AUTO, false, why,
					 sizeof(why)) != VFIOX_BACKEND_IOMMUFD) {
			vfiox__dbg(ctx, "bundle: type1, because of %s: %s", devs[i].name, why);
			backend = VFIOX_BACKEND_TYPE1;
		}
	if (backend == VFIOX_BACKEND_IOMMUFD && num_groups && vfiox_scan_new(ctx, &scan))
		backend = VFIOX_BACKEND_TYPE1;
	for (i = 0; i < num_groups && backend == VFIOX_BACKEND_IOMMUFD; i++) {
		if (vfiox_scan_find_group(scan, groups[i], &g)) {
			backend = VFIOX_BACKEND_TYPE1;
			break;
		}
		for (k = 0; k < vfiox_group_num_devs(g) && backend == VFIOX_BACKEND_IOMMUFD; k++) {
			struct vfiox_pci_dev *p = vfiox_group_dev(g, k);
			const char *drv = vfiox_pci_dev_driver(p);

			if (!drv || !strstr(drv, "vfio"))
				continue;
			offered++;
			if (vfiox_backend_choose(ctx, vfiox_pci_dev_name(p), VFIOX_BACKEND_AUTO,
						 false, why, sizeof(why)) != VFIOX_BACKEND_IOMMUFD) {
				vfiox__dbg(ctx, "bundle: type1, because of %s: %s",
					   vfiox_pci_dev_name(p), why);
				backend = VFIOX_BACKEND_TYPE1;
			}
		}
	}
	vfiox_scan_free(scan);
	memcpy(ctx->last_error, saved, sizeof(saved));
	return offered ? backend : VFIOX_BACKEND_TYPE1;
}

VFIOX_EXPORT int vfiox_bundle_open_backend(struct vfiox_ctx *ctx, const int *groups,
					   size_t num_groups, const char *const *devices,
					   size_t num_devices, unsigned int flags, int backend,
					   struct vfiox_bundle **bp)
{
	struct named_dev devs[VFIOX_HANDOVER_MAX_FDS];
	int ids[2 * VFIOX_HANDOVER_MAX_FDS];
	size_t i, n = 0, ndevs, nids = 0;
	int ret;

	if (backend != VFIOX_BACKEND_AUTO && backend != VFIOX_BACKEND_TYPE1 &&
	    backend != VFIOX_BACKEND_IOMMUFD)
		return vfiox__err(ctx, -EINVAL, "unknown backend %d", backend);
	if (!num_groups && !num_devices)
		return vfiox__err(ctx, -EINVAL, "a bundle needs at least one group or device");
	if (num_groups > VFIOX_HANDOVER_MAX_FDS || num_devices > VFIOX_HANDOVER_MAX_FDS)
		return vfiox__err(ctx, -EINVAL, "a bundle holds at most %d fds",
				  VFIOX_HANDOVER_MAX_FDS);
	for (i = 0; i < num_groups; i++) {
		if (groups[i] < 0)
			return vfiox__err(ctx, -EINVAL, "%d is not an IOMMU group number", groups[i]);
		ids[nids++] = groups[i];
	}
	ret = num_devices ? resolve_devices(ctx, devices, num_devices, devs) : 0;
	if (ret < 0)
		return ret;
	ndevs = (size_t)ret;
	if (backend == VFIOX_BACKEND_AUTO)
		backend = choose_backend(ctx, groups, num_groups, devs, ndevs);
	vfiox__dbg(ctx, "bundle: the %s backend", vfiox_backend_name(backend));
	if (backend == VFIOX_BACKEND_IOMMUFD) {
		qsort(ids, nids, sizeof(ids[0]), cmp_int);
		for (i = 0; i < nids; i++)
			if (!n || ids[n - 1] != ids[i])
				ids[n++] = ids[i];
		return open_iommufd(ctx, ids, n, devs, ndevs, bp);
	}
	for (i = 0; i < ndevs; i++)
		ids[nids++] = devs[i].group;
	qsort(ids, nids, sizeof(ids[0]), cmp_int);
	for (i = 0; i < nids; i++)
		if (!n || ids[n - 1] != ids[i])
			ids[n++] = ids[i];
	return open_type1(ctx, ids, n, devs, ndevs, flags, bp);
}

VFIOX_EXPORT int vfiox_bundle_open(struct vfiox_ctx *ctx, const int *groups, size_t num_groups,
				   const char *const *devices, size_t num_devices,
				   unsigned int flags, struct vfiox_bundle **bp)
{
	return vfiox_bundle_open_backend(ctx, groups, num_groups, devices, num_devices, flags,
					 VFIOX_BACKEND_TYPE1, bp);
}

VFIOX_EXPORT size_t vfiox_bundle_num_fds(const struct vfiox_bundle *b)
{
	return b->desc.num;
}

VFIOX_EXPORT int vfiox_bundle_fd(const struct vfiox_bundle *b, size_t i)
{
	return i < b->desc.num ? b->fds[i] : -EINVAL;
}

VFIOX_EXPORT int vfiox_bundle_fd_kind(const struct vfiox_bundle *b, size_t i)
{
	return i < b->desc.num ? b->desc.e[i].kind : -EINVAL;
}

VFIOX_EXPORT int vfiox_bundle_fd_group(const struct vfiox_bundle *b, size_t i)
{
	return i < b->desc.num ? b->desc.e[i].group : -EINVAL;
}

VFIOX_EXPORT const char *vfiox_bundle_fd_device(const struct vfiox_bundle *b, size_t i)
{
	return i < b->desc.num && (b->desc.e[i].kind == VFIOX_HANDOVER_DEVICE ||
				   b->desc.e[i].kind == VFIOX_HANDOVER_CDEV) ? b->desc.e[i].dev : NULL;
}

VFIOX_EXPORT const char *vfiox_bundle_fd_name(const struct vfiox_bundle *b, size_t i)
{
	return i < b->desc.num ? b->names[i] : NULL;
}

VFIOX_EXPORT int vfiox_bundle_iommu_model(const struct vfiox_bundle *b)
{
	return b->desc.model;
}

VFIOX_EXPORT int vfiox_bundle_backend(const struct vfiox_bundle *b)
{
	return b->backend;
}

VFIOX_EXPORT struct vfiox_container *vfiox_bundle_container(const struct vfiox_bundle *b)
{
	return b->container;
}

VFIOX_EXPORT struct vfiox_vgroup *vfiox_bundle_group(const struct vfiox_bundle *b, int id)
{
	size_t i;

	for (i = 0; i < b->num_groups; i++)
		if (b->groups[i]->id == id)
			return b->groups[i];
	return NULL;
}

VFIOX_EXPORT struct vfiox_device *vfiox_bundle_device(const struct vfiox_bundle *b,
						      const char *addr)
{
	char name[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_pci_addr a;
	size_t i;

	if (vfiox_pci_addr_parse(addr, &a) || vfiox_pci_addr_format(&a, name, sizeof(name)) < 0)
		return NULL;
	for (i = 0; i < b->num_devices; i++)
		if (!strcmp(b->devices[i]->name, name))
			return b->devices[i];
	return NULL;
}

VFIOX_EXPORT int vfiox_bundle_describe(const struct vfiox_bundle *b, char *buf, size_t len)
{
	char why[128];
	int n = vfiox__ho_encode(&b->desc, buf, len, why, sizeof(why));

	return n < 0 ? vfiox__err(b->ctx, n, "the bundle's message: %s", why) : n;
}

/* ------------------------------------------------------------------ sending */

/* One packet of @len bytes with @nfds fds in one SCM_RIGHTS. */
static int send_packet(struct vfiox_ctx *ctx, int sock, const char *buf, size_t len,
		       const int *fds, size_t nfds, int timeout_ms)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * VFIOX_HANDOVER_MAX_FDS)];
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int ret;

	if (nfds) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(&cm.h), fds, sizeof(int) * nfds);
	}
	ret = vfiox_sys_poll(sock, POLLOUT, timeout_ms);
	if (ret == 0)
		return vfiox__err(ctx, -ETIMEDOUT, "the peer took no message for %d ms", timeout_ms);
	if (ret < 0)
		return vfiox__err(ctx, ret, "waiting to send the hand-over: %s", strerror(-ret));
	/* Never block on a slow peer: a socket with no room now counts as a timeout. */
	n = vfiox_sys_sendmsg(sock, &msg, MSG_DONTWAIT);
	if (n == -EAGAIN)
		return vfiox__err(ctx, -ETIMEDOUT, "the peer's socket has no room for the message");
	if (n < 0)
		return vfiox__err(ctx, (int)n, "sending the hand-over: %s%s", strerror((int)-n),
				  n == -EPIPE || n == -ECONNRESET ? " (the peer went away)" : "");
	if ((size_t)n != len)
		return vfiox__err(ctx, -EMSGSIZE, "sent %zd of %zu bytes: the socket is not "
				  "SOCK_SEQPACKET", n, len);
	return 0;
}

VFIOX_EXPORT int vfiox_bundle_send(struct vfiox_bundle *b, int sock, int timeout_ms)
{
	char buf[VFIOX_HANDOVER_MAX_MSG + 1];
	int n = vfiox_bundle_describe(b, buf, sizeof(buf));

	if (n < 0)
		return n;
	return send_packet(b->ctx, sock, buf, (size_t)n, b->fds, b->desc.num, timeout_ms);
}

VFIOX_EXPORT int vfiox_handover_refuse(struct vfiox_ctx *ctx, int sock, const char *reason,
				       int timeout_ms)
{
	struct vfiox_ho_desc *d = calloc(1, sizeof(*d));
	char buf[VFIOX_HANDOVER_MAX_MSG + 1], why[128];
	int n;

	if (!d)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	d->refused = true;
	snprintf(d->error, sizeof(d->error), "%s", reason);
	n = strlen(reason) < sizeof(d->error) ? vfiox__ho_encode(d, buf, sizeof(buf), why,
								 sizeof(why))
					      : -EINVAL;
	free(d);
	if (n < 0)
		return vfiox__err(ctx, -EINVAL, "a refusal is one line of at most %d characters",
				  VFIOX_HO_MAX_LINE - 8);
	return send_packet(ctx, sock, buf, (size_t)n, NULL, 0, timeout_ms);
}

/* ------------------------------------------------------------------ checking what arrived */

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a pipe";
	case S_IFSOCK:
		return "a socket";
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFCHR:
		return "another character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "not a device";
	}
}

/* What entry @i claims, for messages: "the container", "group 12", "device 0000:03:00.0". */
static void claim(const struct vfiox_ho_entry *e, char *buf, size_t len)
{
	if (e->kind == VFIOX_HANDOVER_CONTAINER)
		snprintf(buf, len, "the container");
	else if (e->kind == VFIOX_HANDOVER_GROUP)
		snprintf(buf, len, "group %d", e->group);
	else if (e->kind == VFIOX_HANDOVER_DEVICE)
		snprintf(buf, len, "device %s", e->dev);
	else if (e->kind == VFIOX_HANDOVER_IOMMUFD)
		snprintf(buf, len, "the iommufd");
	else
		snprintf(buf, len, "the cdev of %s", e->dev);
}

/* The node's device number, or -errno when it is not there to compare with. */
static int node_rdev(struct vfiox_ctx *ctx, const char *rel, dev_t *rdev)
{
	char path[4096];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/vfio/%s", ctx->dev_root, rel);
	ret = vfiox_sys_fstatat(AT_FDCWD, path, &st, 0);
	if (ret)
		return ret;
	*rdev = st.st_rdev;
	return S_ISCHR(st.st_mode) ? 0 : -ENOTTY;
}

/* A "MAJ:MIN" attribute of sysfs (<sysfs>/@rel), a device's number. */
static int sysfs_rdev(struct vfiox_ctx *ctx, const char *rel, dev_t *rdev)
{
	char path[4096], buf[32];
	unsigned int maj, min;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", ctx->sysfs_root, rel);
	n = vfiox__read_attr(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EPROTO;
	*rdev = makedev(maj, min);
	return 0;
}

/*
 * The device number of group @id as sysfs has it (<sysfs>/class/vfio/ID/dev), for a
 * receiver whose /dev lacks the node (a sandbox with a minimal /dev).
 */
static int sysfs_group_rdev(struct vfiox_ctx *ctx, int id, dev_t *rdev)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "class/vfio/%d/dev", id);
	return sysfs_rdev(ctx, rel, rdev);
}

static int check_container(struct vfiox_ctx *ctx, int fd, const struct stat *st, const char *what)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	dev_t want = makedev(VFIO_MISC_MAJOR, VFIO_MISC_MINOR);
	int ret;

	node_rdev(ctx, "vfio", &want);
	if (!S_ISCHR(st->st_mode) || st->st_rdev != want)
		return vfiox__err(ctx, -EBADF, "%s is %s, not %s/vfio/vfio", what,
				  S_ISCHR(st->st_mode) ? "another character device"
						       : file_type(st->st_mode), ctx->dev_root);
	ret = vfiox_sys_ioctl(fd, VFIO_GET_API_VERSION, NULL);
	if (ret != VFIO_API_VERSION)
		return vfiox__err(ctx, -EBADF, "%s does not answer VFIO_GET_API_VERSION with %d (%s)",
				  what, VFIO_API_VERSION, ret < 0 ? strerror(-ret) : "another version");
	ret = vfiox_sys_ioctl(fd, VFIO_IOMMU_GET_INFO, &info);
	if (ret < 0)
		return vfiox__err(ctx, -EBADF, "%s has no IOMMU model set (VFIO_IOMMU_GET_INFO: %s): "
				  "the sender must attach the groups first", what, strerror(-ret));
	return 0;
}

static int check_group(struct vfiox_ctx *ctx, int fd, const struct stat *st, int id,
		       const char *what)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char rel[16];
	dev_t want;
	int ret;

	snprintf(rel, sizeof(rel), "%d", id);
	if (!S_ISCHR(st->st_mode))
		return vfiox__err(ctx, -EBADF, "%s is %s, not %s/vfio/%d", what,
				  file_type(st->st_mode), ctx->dev_root, id);
	ret = node_rdev(ctx, rel, &want);
	if (ret && sysfs_group_rdev(ctx, id, &want))
		return vfiox__err(ctx, -EBADF, "%s cannot be checked: neither %s/vfio/%d nor "
				  "%s/class/vfio/%d/dev is there to compare with (%s)", what,
				  ctx->dev_root, id, ctx->sysfs_root, id, strerror(-ret));
	if (st->st_rdev != want)
		return vfiox__err(ctx, -EBADF, "%s is the character device %u:%u, not %s/vfio/%d "
				  "(%u:%u)", what, major(st->st_rdev), minor(st->st_rdev),
				  ctx->dev_root, id, major(want), minor(want));
	ret = vfiox_sys_ioctl(fd, VFIO_GROUP_GET_STATUS, &gs);
	if (ret < 0)
		return vfiox__err(ctx, -EBADF, "%s does not answer VFIO_GROUP_GET_STATUS: %s", what,
				  strerror(-ret));
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		return vfiox__err(ctx, -EBADF, "%s is not viable: a member is bound to a host driver "
				  "('vfioctl show %d' names it)", what, id);
	if (!(gs.flags & VFIO_GROUP_FLAGS_CONTAINER_SET))
		return vfiox__err(ctx, -EBADF, "%s is not attached to a container: the sender must "
				  "attach it first", what);
	return 0;
}

static int check_device(struct vfiox_ctx *ctx, int fd, const char *what)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char path[4096], link[256];
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/self/fd/%d", ctx->proc_root, fd);
	n = vfiox_sys_readlinkat(AT_FDCWD, path, link, sizeof(link) - 1);
	if (n < 0)
		return vfiox__err(ctx, -EBADF, "%s cannot be checked: %s: %s", what, path,
				  strerror((int)-n));
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[vfio-device]") &&
	    strncmp(link, "/dev/vfio/devices/", strlen("/dev/vfio/devices/")))
		return vfiox__err(ctx, -EBADF, "%s is %s, not a VFIO device fd", what, link);
	ret = vfiox_sys_ioctl(fd, VFIO_DEVICE_GET_INFO, &info);
	if (ret < 0)
		return vfiox__err(ctx, -EBADF, "%s does not answer VFIO_DEVICE_GET_INFO: %s", what,
				  strerror(-ret));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return vfiox__err(ctx, -EBADF, "%s is not a PCI device (flags 0x%x)", what,
				  info.flags);
	return 0;
}

/* @st is the character device @want (from @source), or -EBADF saying what it is instead. */
static int same_chrdev(struct vfiox_ctx *ctx, const struct stat *st, dev_t want,
		       const char *source, const char *what, const char *wanted)
{
	if (!S_ISCHR(st->st_mode))
		return vfiox__err(ctx, -EBADF, "%s is %s, not %s", what, file_type(st->st_mode),
				  wanted);
	if (st->st_rdev != want)
		return vfiox__err(ctx, -EBADF, "%s is the character device %u:%u, not %s (%u:%u, "
				  "from %s)", what, major(st->st_rdev), minor(st->st_rdev), wanted,
				  major(want), minor(want), source);
	return 0;
}

/* /dev/iommu: the misc device sysfs names (<sysfs>/class/misc/iommu/dev), else the node. */
static int check_iommufd(struct vfiox_ctx *ctx, const struct stat *st, const char *what)
{
	char node[4096], source[4200];
	struct stat ns;
	dev_t want;

	snprintf(node, sizeof(node), "%s/iommu", ctx->dev_root);
	snprintf(source, sizeof(source), "%s/class/misc/iommu/dev", ctx->sysfs_root);
	if (sysfs_rdev(ctx, "class/misc/iommu/dev", &want)) {
		if (vfiox_sys_fstatat(AT_FDCWD, node, &ns, 0) || !S_ISCHR(ns.st_mode))
			return vfiox__err(ctx, -EBADF, "%s cannot be checked: neither %s nor %s is "
					  "there to compare with (a kernel without iommufd?)", what,
					  source, node);
		want = ns.st_rdev;
		snprintf(source, sizeof(source), "%s", node);
	}
	return same_chrdev(ctx, st, want, source, what, node);
}

/*
 * The cdev of @dev: the character device sysfs names for it
 * (<sysfs>/bus/pci/devices/ADDR/vfio-dev/vfioN/dev), else its node.
 */
static int check_cdev(struct vfiox_ctx *ctx, const struct stat *st, const char *dev,
		      const char *what)
{
	char node[4096], rel[4200], source[8400], saved[sizeof(ctx->last_error)];
	const char *name;
	struct stat ns;
	dev_t want;

	memcpy(saved, ctx->last_error, sizeof(saved));
	if (vfiox_device_cdev(ctx, dev, node, sizeof(node)))
		return vfiox__err(ctx, -EBADF, "%s cannot be checked: %s", what, ctx->last_error);
	memcpy(ctx->last_error, saved, sizeof(saved));
	name = strrchr(node, '/') + 1;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vfio-dev/%s/dev", dev, name);
	snprintf(source, sizeof(source), "%s/%s", ctx->sysfs_root, rel);
	if (sysfs_rdev(ctx, rel, &want)) {
		if (vfiox_sys_fstatat(AT_FDCWD, node, &ns, 0) || !S_ISCHR(ns.st_mode))
			return vfiox__err(ctx, -EBADF, "%s cannot be checked: neither %s nor %s is "
					  "there to compare with", what, source, node);
		want = ns.st_rdev;
		snprintf(source, sizeof(source), "%s", node);
	}
	return same_chrdev(ctx, st, want, source, what, node);
}

/* fd @i of what arrived is what entry @i says it is. */
static int check_fd(struct vfiox_ctx *ctx, int fd, size_t i, const struct vfiox_ho_entry *e)
{
	char what[128], c[64];
	struct stat st;
	int ret;

	claim(e, c, sizeof(c));
	snprintf(what, sizeof(what), "fd %zu of the bundle (fd %d, said to be %s)", i, fd, c);
	ret = vfiox_sys_fstatat(fd, "", &st, AT_EMPTY_PATH);
	if (ret)
		return vfiox__err(ctx, -EBADF, "%s: fstat: %s", what, strerror(-ret));
	switch (e->kind) {
	case VFIOX_HANDOVER_CONTAINER:
		return check_container(ctx, fd, &st, what);
	case VFIOX_HANDOVER_GROUP:
		return check_group(ctx, fd, &st, e->group, what);
	case VFIOX_HANDOVER_IOMMUFD:
		return check_iommufd(ctx, &st, what);
	case VFIOX_HANDOVER_CDEV:
		return check_cdev(ctx, &st, e->dev, what);
	default:
		return check_device(ctx, fd, what);
	}
}

static void close_fds(const int *fds, size_t n, const bool *owned)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!owned || !owned[i])
			vfiox_sys_close(fds[i]);
}

/*
 * Checks and adopts @n fds described by @d into a new bundle. Every fd is closed on
 * failure: those adopted by the handles, the others here.
 */
static int adopt(struct vfiox_ctx *ctx, const struct vfiox_ho_desc *d, const int *fds, size_t n,
		 struct vfiox_bundle **bp)
{
	bool owned[VFIOX_HANDOVER_MAX_FDS] = { false };
	struct vfiox_bundle *b = NULL;
	size_t i, pass;
	int ret;

	for (i = 0; i < n; i++) {
		ret = check_fd(ctx, fds[i], i, &d->e[i]);
		if (ret)
			goto err;
	}
	ret = bundle_new(ctx, &b);
	if (ret)
		goto err;
	b->desc = *d;
	/*
	 * The container first: the groups are attached to it as they are adopted; the
	 * iommufd first (its IOAS allocated now), then each cdev bound to it and attached.
	 */
	for (pass = VFIOX_HANDOVER_CONTAINER; pass <= VFIOX_HANDOVER_CDEV; pass++) {
		for (i = 0; i < n; i++) {
			const struct vfiox_ho_entry *e = &d->e[i];
			struct vfiox_vgroup **g = &b->groups[b->num_groups];
			struct vfiox_device **dev = &b->devices[b->num_devices];

			if (e->kind != (int)pass)
				continue;
			owned[i] = true;
			switch (e->kind) {
			case VFIOX_HANDOVER_CONTAINER:
				ret = vfiox_container_adopt(ctx, fds[i], &b->container);
				break;
			case VFIOX_HANDOVER_GROUP:
				ret = vfiox_vgroup_adopt(ctx, fds[i], e->group, g);
				if (!ret)
					b->num_groups++;
				if (!ret)
					ret = vfiox_container_attach(b->container, *g);
				break;
			case VFIOX_HANDOVER_DEVICE:
				ret = vfiox_device_adopt(ctx, fds[i], e->dev, dev);
				if (!ret)
					b->num_devices++;
				break;
			case VFIOX_HANDOVER_IOMMUFD:
				b->backend = VFIOX_BACKEND_IOMMUFD;
				ret = vfiox_iommufd_adopt(ctx, fds[i], 0, &b->container);
				break;
			default:
				ret = vfiox_device_adopt_cdev(b->container, fds[i], e->dev, dev);
				if (!ret)
					b->num_devices++;
				break;
			}
			if (ret)
				goto err;
			b->fds[i] = fds[i];
			vfiox__ho_fdname(e, b->names[i], sizeof(b->names[i]));
		}
	}
	/* The kernel does not say which type1 model the sender set; the message does. */
	if (b->backend == VFIOX_BACKEND_TYPE1 && (d->model == VFIOX_IOMMU_TYPE1 ||
						  d->model == VFIOX_IOMMU_TYPE1V2) &&
	    (b->container->models & (1u << d->model)))
		b->container->model = d->model;
	b->desc.model = b->container->model;
	*bp = b;
	return 0;
err:
	close_fds(fds, n, owned);
	vfiox_bundle_free(b);
	return ret;
}

/* ------------------------------------------------------------------ receiving */

VFIOX_EXPORT int vfiox_bundle_recv(struct vfiox_ctx *ctx, int sock, int timeout_ms,
				   struct vfiox_bundle **bp)
{
	union {
		struct cmsghdr h;
		/* Room for one fd more than allowed, so that one too many is seen and closed. */
		char buf[CMSG_SPACE(sizeof(int) * (VFIOX_HANDOVER_MAX_FDS + 1))];
	} cm;
	char buf[VFIOX_HANDOVER_MAX_MSG + 1], why[200];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			      .msg_controllen = sizeof(cm.buf) };
	/* As many as the control buffer can carry (its padding included): none left open. */
	int fds[sizeof(cm.buf) / sizeof(int)];
	struct vfiox_ho_desc *d = NULL;
	unsigned int optlen = sizeof(int);
	struct cmsghdr *h;
	size_t nfds = 0, k;
	int type = 0, ret;
	ssize_t n;

	ret = vfiox_sys_getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &optlen);
	if (ret)
		return vfiox__err(ctx, ret, "fd %d is not a socket: %s", sock, strerror(-ret));
	if (type != SOCK_SEQPACKET)
		return vfiox__err(ctx, -ESOCKTNOSUPPORT, "the hand-over comes on a SOCK_SEQPACKET "
				  "socket; fd %d is another kind", sock);
	ret = vfiox_sys_poll(sock, POLLIN, timeout_ms);
	if (ret == 0)
		return vfiox__err(ctx, -ETIMEDOUT, "no hand-over message within %d ms", timeout_ms);
	if (ret < 0)
		return vfiox__err(ctx, ret, "waiting for the hand-over: %s", strerror(-ret));
	memset(&cm, 0, sizeof(cm));
	n = vfiox_sys_recvmsg(sock, &msg, MSG_DONTWAIT);
	if (n < 0)
		return vfiox__err(ctx, (int)n, "receiving the hand-over: %s", strerror((int)-n));
	for (h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0; k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
			    nfds < ARRAY_SIZE(fds); k++)
			memcpy(&fds[nfds++], CMSG_DATA(h) + k * sizeof(int), sizeof(int));
	}
	if (msg.msg_flags & MSG_CTRUNC || nfds > VFIOX_HANDOVER_MAX_FDS) {
		ret = vfiox__err(ctx, -EMSGSIZE, "the hand-over came with more than %d fds: refused",
				 VFIOX_HANDOVER_MAX_FDS);
		goto err_close;
	}
	if (n == 0 && !nfds)
		return vfiox__err(ctx, -ECONNRESET, "the peer closed the socket without a message");
	if (msg.msg_flags & MSG_TRUNC || (size_t)n > VFIOX_HANDOVER_MAX_MSG) {
		ret = vfiox__err(ctx, -EMSGSIZE, "the hand-over message is longer than %d bytes: "
				 "refused", VFIOX_HANDOVER_MAX_MSG);
		goto err_close;
	}
	d = malloc(sizeof(*d));
	if (!d) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_close;
	}
	ret = vfiox__ho_decode(buf, (size_t)n, d, why, sizeof(why));
	if (ret) {
		ret = vfiox__err(ctx, ret, "refused a malformed hand-over message: %s", why);
		goto err_close;
	}
	if (d->refused) {
		ret = vfiox__err(ctx, -EACCES, "the peer refused: %s", d->error);
		goto err_close;
	}
	if (nfds != d->num) {
		ret = vfiox__err(ctx, -EBADMSG, "refused a hand-over message that describes %zu fds "
				 "and came with %zu", d->num, nfds);
		goto err_close;
	}
	ret = adopt(ctx, d, fds, nfds, bp);
	free(d);
	return ret;
err_close:
	free(d);
	close_fds(fds, nfds, NULL);
	return ret;
}

/* Parses a whole decimal variable; -1 when it is not one. */
static long env_number(const char *s)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end ? -1 : v;
}

int vfiox__bundle_listen_at(struct vfiox_ctx *ctx, int base, unsigned int flags,
			    struct vfiox_bundle **bp)
{
	const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	int fds[VFIOX_HANDOVER_MAX_FDS];
	struct vfiox_ho_desc *d = NULL;
	long pid = env_number(pid_s), n = env_number(fds_s), i;
	char why[200];
	int ret;

	if (!fds_s) {
		ret = vfiox__err(ctx, -ENOENT, "LISTEN_FDS is not set: no fd was passed to this "
				 "process (start it with 'vfioctl exec')");
		goto out_env;
	}
	if (pid != vfiox_sys_getpid()) {
		ret = vfiox__err(ctx, -ENOENT, "LISTEN_PID is %s, not this process (%d): the fds were "
				 "passed to another", pid_s ? pid_s : "not set", vfiox_sys_getpid());
		goto out_env;
	}
	if (n < 0 || n > 1024) {
		/* Not a count we can trust with closing fds: leave them be. */
		ret = vfiox__err(ctx, -EBADMSG, "LISTEN_FDS=%s is not a count of fds", fds_s);
		goto out_env;
	}
	if (n > VFIOX_HANDOVER_MAX_FDS) {
		for (i = 0; i < n; i++)
			vfiox_sys_close(base + (int)i);
		ret = vfiox__err(ctx, -EMSGSIZE, "LISTEN_FDS=%ld, more than the %d a bundle holds: "
				 "all closed", n, VFIOX_HANDOVER_MAX_FDS);
		goto out_env;
	}
	for (i = 0; i < n; i++)
		fds[i] = base + (int)i;
	for (i = 0; i < n; i++) {
		ret = vfiox_sys_set_cloexec(fds[i]);
		if (ret) {
			ret = vfiox__err(ctx, -EBADF, "LISTEN_FDS=%ld but fd %d is not open: %s", n,
					 fds[i], strerror(-ret));
			goto err_close;
		}
	}
	d = malloc(sizeof(*d));
	if (!d) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_close;
	}
	if (!names) {
		ret = vfiox__err(ctx, -EBADMSG, "LISTEN_FDNAMES is not set: the names tell the "
				 "container from the groups");
		goto err_close;
	}
	ret = vfiox__ho_decode_fdnames(names, strlen(names), (size_t)n, d, why, sizeof(why));
	if (ret) {
		ret = vfiox__err(ctx, ret, "refused the passed fds: %s", why);
		goto err_close;
	}
	ret = adopt(ctx, d, fds, (size_t)n, bp);
	goto out_env;
err_close:
	close_fds(fds, (size_t)n, NULL);
out_env:
	free(d);
	if (flags & VFIOX_LISTEN_UNSETENV) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return ret;
}

VFIOX_EXPORT int vfiox_bundle_listen_fds(struct vfiox_ctx *ctx, unsigned int flags,
					 struct vfiox_bundle **bp)
{
	return vfiox__bundle_listen_at(ctx, 3, flags, bp);
}
