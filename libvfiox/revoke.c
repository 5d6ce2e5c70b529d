// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Taking a handed-over device back. A passed fd cannot be taken back, but its holder can be
 * asked to let go: the REQ interrupt is VFIO's way (vfio-pci raises it when the device is
 * being unbound). Unbinding to raise it would commit us: the kernel's unbind cannot be
 * called off and blocks until the holder gives in. So the request is raised the other way
 * vfio-pci offers, a loopback trigger (VFIO_IRQ_SET_DATA_NONE) through a device fd of our
 * own, taken through a duplicate of the holder's group fd (pidfd_getfd); a holder of the
 * device's cdev (/dev/vfio/devices/vfioN, the iommufd way) holds a device fd already, and
 * the duplicate of that is ours. If the holder lets go in time, the device goes back to the
 * driver it had, through the journal; if not, nothing was changed and the holder is named.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/vfio.h>

#include "internal.h"

#define MAX_HOLDERS 16
#define POLL_MS 50

/*
 * Raises REQ on @dev through @holder's fd on @node: its group fd (/dev/vfio/@id), from
 * which a device fd of ours is taken, or (@cdev) its cdev fd, a device fd itself. 0 or
 * -errno with the reason in the last error. A holder that let go since /proc was read (it
 * exited, closed the fd, or the fd number or the pid is something else by now) is not
 * asked: 0, and the fd that arrived is not the node's, so it gets no ioctl.
 */
static int ask(struct vfiox_ctx *ctx, const struct vfiox_holder *h, const char *dev, int id,
	       const char *node, bool cdev)
{
	struct vfiox_device *d;
	struct stat st, want;
	char what[64];
	int pidfd, hfd, dfd, ret;

	if (cdev)
		snprintf(what, sizeof(what), "the cdev of %s", dev);
	else
		snprintf(what, sizeof(what), "group %d", id);
	pidfd = vfiox_sys_pidfd_open(h->pid);
	if (pidfd == -ESRCH)
		goto gone;
	if (pidfd < 0)
		return vfiox__err(ctx, pidfd, "pidfd_open(%d): %s", h->pid, strerror(-pidfd));
	hfd = vfiox_sys_pidfd_getfd(pidfd, h->fd);
	vfiox_sys_close(pidfd);
	if (hfd == -ESRCH || hfd == -EBADF)
		goto gone;
	if (hfd < 0)
		return vfiox__err(ctx, hfd, "cannot reach %s in pid %d (%s): pidfd_getfd: %s%s",
				  what, h->pid, h->comm, strerror(-hfd),
				  hfd == -EPERM ? " (it needs root: CAP_SYS_PTRACE)" : "");
	ret = vfiox_sys_fstatat(AT_FDCWD, node, &want, 0);
	if (ret) {
		vfiox_sys_close(hfd);
		return vfiox__err(ctx, ret, "%s: %s", node, strerror(-ret));
	}
	if (vfiox_sys_fstatat(hfd, "", &st, AT_EMPTY_PATH) || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != want.st_rdev) {
		vfiox_sys_close(hfd);
		goto gone;
	}
	if (cdev) {
		dfd = hfd;
	} else {
		dfd = vfiox_sys_ioctl(hfd, VFIO_GROUP_GET_DEVICE_FD, (void *)dev);
		vfiox_sys_close(hfd);
		if (dfd < 0)
			return vfiox__err(ctx, dfd, "cannot reach %s through pid %d's group %d: %s",
					  dev, h->pid, id, strerror(-dfd));
		ret = vfiox_sys_set_cloexec(dfd);
		if (ret) {
			vfiox_sys_close(dfd);
			return vfiox__err(ctx, ret, "FD_CLOEXEC: %s", strerror(-ret));
		}
	}
	ret = vfiox_device_adopt(ctx, dfd, dev, &d);
	if (ret)
		return ret;
	ret = vfiox_irq_trigger(d, VFIOX_IRQ_REQ, 0, 1);
	/*
	 * Ours closed at once: a device fd of our own would hold the device like theirs (a
	 * duplicate of their cdev fd only drops a reference: their bind stays).
	 */
	vfiox_device_close(d);
	if (ret == -EINVAL)
		return vfiox__err(ctx, -EBUSY, "%s is held by pid %d (%s), which has no REQ interrupt "
				  "enabled: it cannot be asked to release the device; nothing was "
				  "changed (stop that process to free it)", dev, h->pid, h->comm);
	if (!ret)
		vfiox__dbg(ctx, "%s: REQ raised for pid %d (%s) through %s", dev, h->pid, h->comm,
			   what);
	return ret;
gone:
	vfiox__dbg(ctx, "%s: pid %d (%s) let go of %s before it was asked", dev, h->pid, h->comm,
		   node);
	return 0;
}

/* Who holds @dev: the holders of its group node and of its cdev (@cdev, "" when none). */
static size_t holders_of(struct vfiox_ctx *ctx, const char *group, const char *cdev,
			 struct vfiox_holder *list, size_t max, size_t *ngroup, char *who,
			 size_t len)
{
	size_t n = vfiox__holders(ctx, group, list, max, who, len), k = 0, at;

	*ngroup = n;
	if (!cdev[0])
		return n;
	at = strlen(who);
	if (at + 2 < len) {
		k = vfiox__holders(ctx, cdev, list ? list + (n < max ? n : max) : NULL,
				   n < max ? max - n : 0, who + at + (at ? 2 : 0),
				   len - at - (at ? 2 : 0));
		if (k && at)
			memcpy(who + at, ", ", 2);
		else if (at)
			who[at] = '\0';
	}
	return n + k;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

VFIOX_EXPORT int vfiox_device_revoke(struct vfiox_ctx *ctx, const char *dev, int timeout_ms)
{
	struct vfiox_holder holders[MAX_HOLDERS];
	struct timespec pause = { 0, POLL_MS * 1000000L };
	char name[VFIOX_PCI_ADDR_STRLEN], node[4096], cdev[4096], who[400], drv[64];
	char saved[sizeof(ctx->last_error)];
	size_t ngroup;
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *p;
	const char *d;
	size_t n, i;
	long deadline;
	int id, ret;

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return ret;
	ret = vfiox_scan_find_dev(scan, dev, &p);
	if (ret) {
		vfiox_scan_free(scan);
		return ret;
	}
	snprintf(name, sizeof(name), "%s", vfiox_pci_dev_name(p));
	/* Copied: the scan, which owns the driver's name, goes before the name is used. */
	d = vfiox_pci_dev_driver(p);
	snprintf(drv, sizeof(drv), "%s", d ? d : "");
	id = vfiox_pci_dev_iommu_group(p);
	vfiox_scan_free(scan);
	if (!strstr(drv, "vfio") || id < 0)
		return vfiox__err(ctx, -EINVAL, "%s is %s%s, not on vfio-pci: there is nothing to "
				  "revoke", name, drv[0] ? "bound to " : "bound to no driver", drv);
	snprintf(node, sizeof(node), "%s/vfio/%d", ctx->dev_root, id);
	/* A device without a cdev (a kernel without CONFIG_VFIO_DEVICE_CDEV) has group holders only. */
	memcpy(saved, ctx->last_error, sizeof(saved));
	if (vfiox_device_cdev(ctx, name, cdev, sizeof(cdev)))
		cdev[0] = '\0';
	memcpy(ctx->last_error, saved, sizeof(saved));
	n = holders_of(ctx, node, cdev, holders, MAX_HOLDERS, &ngroup, who, sizeof(who));
	for (i = 0; i < n && i < MAX_HOLDERS; i++) {
		ret = ask(ctx, &holders[i], name, id, i < ngroup ? node : cdev, i >= ngroup);
		if (ret)
			return ret;
	}
	if (timeout_ms < 0)
		timeout_ms = 10000;
	deadline = now_ms() + timeout_ms;
	while (n && now_ms() < deadline) {
		nanosleep(&pause, NULL);
		n = holders_of(ctx, node, cdev, NULL, 0, &ngroup, who, sizeof(who));
	}
	if (n)
		return vfiox__err(ctx, -EBUSY, "%s is still held by %s %d ms after the REQ interrupt "
				  "asked for it: the holder ignores the request; nothing was changed "
				  "(stop that process, or give it longer with a larger timeout)", name,
				  who[0] ? who : "a process we cannot see", timeout_ms);
	ret = vfiox_bind_restore(ctx, name);
	if (ret == -ENOENT) {
		vfiox__err(ctx, 0, "%s was released; it stays on %s: the journal has no entry for it "
			   "(it was not bound by vfiox_bind_plan_run() / vfioctl bind)", name, drv);
		return 1;
	}
	return ret;
}
