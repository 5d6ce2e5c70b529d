// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The event stream: PCI add/remove/bind/unbind and /dev/vfio/N add/remove, received with
 * libudev (from udevd, or from the kernel when there is no udevd) and decoded by one pure
 * function over the event's KEY=VALUE list, which the fuzzer and the unit tests drive.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include <libudev.h>

#include <vfiox/monitor.h>

#include "internal.h"

/* Larger than any uevent the kernel sends (UEVENT_BUFFER_SIZE is 2048). */
#define MAX_EVENT_TEXT 8192

struct drv_slot {
	char dev[VFIOX_PCI_ADDR_STRLEN];
	char driver[64];
};

struct vfiox_monitor {
	struct vfiox_ctx *ctx;
	struct udev *udev;
	struct udev_monitor *mon;
	int fd;
	int epfd;
	bool kernel;
	/* The driver of each device as last seen, to name it in unbind events. */
	struct drv_slot *drv;
	size_t ndrv, drvcap;
	char *text; /* MAX_EVENT_TEXT bytes: the event's properties, NUL-separated */
	size_t text_len; /* of the last event returned; 0 before the first */
};

/* ------------------------------------------------------------------ the decoder */

/* Copies @val into @dst (@len bytes) when it fits; false when it does not. */
static bool copy_val(char *dst, size_t len, const char *val, size_t vlen)
{
	if (vlen >= len)
		return false;
	memcpy(dst, val, vlen);
	dst[vlen] = '\0';
	return true;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_hex(const char *s, size_t n, size_t maxdigits, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (!n || n > maxdigits)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* "vfio/12", "/dev/vfio/12", "vfio/noiommu-3": the group number; -1 for anything else. */
static int parse_group_node(const char *s, size_t n, bool *noiommu)
{
	uint64_t id;

	if (n >= 5 && !memcmp(s, "/dev/", 5)) {
		s += 5;
		n -= 5;
	}
	if (n < 5 || memcmp(s, "vfio/", 5))
		return -1;
	s += 5;
	n -= 5;
	*noiommu = n > 8 && !memcmp(s, "noiommu-", 8);
	if (*noiommu) {
		s += 8;
		n -= 8;
	}
	if (!parse_u64(s, n, &id) || id > INT_MAX || (n > 1 && s[0] == '0'))
		return -1;
	return (int)id;
}

struct uevent_fields {
	const char *action, *subsystem, *devpath, *seqnum, *driver, *slot, *id, *cls, *devname;
	size_t action_n, subsystem_n, devpath_n, seqnum_n, driver_n, slot_n, id_n, cls_n,
		devname_n;
};

static void take_field(struct uevent_fields *f, const char *key, size_t klen, const char *val,
		       size_t vlen)
{
#define FIELD(name, member)                                                                 \
	if (klen == sizeof(name) - 1 && !memcmp(key, name, klen)) {                         \
		f->member = val;                                                            \
		f->member##_n = vlen;                                                       \
		return;                                                                     \
	}
	FIELD("ACTION", action)
	FIELD("SUBSYSTEM", subsystem)
	FIELD("DEVPATH", devpath)
	FIELD("SEQNUM", seqnum)
	FIELD("DRIVER", driver)
	FIELD("PCI_SLOT_NAME", slot)
	FIELD("PCI_ID", id)
	FIELD("PCI_CLASS", cls)
	FIELD("DEVNAME", devname)
#undef FIELD
}

static bool is(const char *s, size_t n, const char *word)
{
	return s && n == strlen(word) && !memcmp(s, word, n);
}

/*
 * @buf holds @len bytes: "KEY=VALUE" entries separated by NUL, the last one possibly not
 * terminated; a first entry "action@devpath" (the kernel's header) is accepted and
 * ignored. Returns 1 with @ev filled, 0 for an event of no interest, -EBADMSG when an
 * event of interest is malformed.
 */
int vfiox__uevent_decode(const char *buf, size_t len, struct vfiox_event *ev)
{
	struct uevent_fields f = { 0 };
	size_t pos = 0;

	memset(ev, 0, sizeof(*ev));
	ev->group = -1;
	while (pos < len) {
		const char *entry = buf + pos, *end = memchr(entry, '\0', len - pos), *eq;
		size_t n = end ? (size_t)(end - entry) : len - pos;

		pos += n + 1;
		eq = memchr(entry, '=', n);
		if (!eq || eq == entry)
			continue; /* the header, or garbage */
		take_field(&f, entry, (size_t)(eq - entry), eq + 1, n - (size_t)(eq - entry) - 1);
	}
	if (!f.action || !f.subsystem)
		return 0;
	if (f.seqnum && !parse_u64(f.seqnum, f.seqnum_n, &ev->seqnum))
		return -EBADMSG;

	if (is(f.subsystem, f.subsystem_n, "vfio")) {
		if (is(f.action, f.action_n, "add"))
			ev->type = VFIOX_EVENT_GROUP_ADD;
		else if (is(f.action, f.action_n, "remove"))
			ev->type = VFIOX_EVENT_GROUP_REMOVE;
		else
			return 0;
		if (!f.devname)
			return -EBADMSG;
		ev->group = parse_group_node(f.devname, f.devname_n, &ev->noiommu);
		if (ev->group < 0)
			return -EBADMSG;
		return 1;
	}
	if (!is(f.subsystem, f.subsystem_n, "pci"))
		return 0;

	if (is(f.action, f.action_n, "add"))
		ev->type = VFIOX_EVENT_PCI_ADD;
	else if (is(f.action, f.action_n, "remove"))
		ev->type = VFIOX_EVENT_PCI_REMOVE;
	else if (is(f.action, f.action_n, "bind"))
		ev->type = VFIOX_EVENT_PCI_BIND;
	else if (is(f.action, f.action_n, "unbind"))
		ev->type = VFIOX_EVENT_PCI_UNBIND;
	else if (is(f.action, f.action_n, "change"))
		ev->type = VFIOX_EVENT_PCI_CHANGE;
	else
		return 0;

	{
		struct vfiox_pci_addr a;
		char name[VFIOX_PCI_ADDR_STRLEN + 8];
		const char *s = f.slot;
		size_t n = f.slot_n;

		if (!s && f.devpath) { /* the last component of the device path */
			const char *slash = NULL;
			size_t i;

			for (i = 0; i < f.devpath_n; i++)
				if (f.devpath[i] == '/')
					slash = f.devpath + i;
			s = slash ? slash + 1 : f.devpath;
			n = f.devpath_n - (size_t)(s - f.devpath);
		}
		if (!s || !copy_val(name, sizeof(name), s, n) || vfiox_pci_addr_parse(name, &a) ||
		    vfiox_pci_addr_format(&a, ev->device, sizeof(ev->device)) < 0)
			return -EBADMSG;
	}
	if (f.driver && !copy_val(ev->driver, sizeof(ev->driver), f.driver, f.driver_n))
		return -EBADMSG;
	if (ev->type == VFIOX_EVENT_PCI_BIND && !ev->driver[0])
		return -EBADMSG;
	if (f.id) {
		const char *colon = memchr(f.id, ':', f.id_n);
		uint32_t ven, dev;

		if (!colon || !parse_hex(f.id, (size_t)(colon - f.id), 4, &ven) ||
		    !parse_hex(colon + 1, f.id_n - (size_t)(colon - f.id) - 1, 4, &dev))
			return -EBADMSG;
		ev->vendor_id = (uint16_t)ven;
		ev->device_id = (uint16_t)dev;
	}
	if (f.cls && !parse_hex(f.cls, f.cls_n, 6, &ev->class_code))
		return -EBADMSG;
	return 1;
}

VFIOX_EXPORT const char *vfiox_event_type_name(int type)
{
	switch (type) {
	case VFIOX_EVENT_PCI_ADD:
		return "add";
	case VFIOX_EVENT_PCI_REMOVE:
		return "remove";
	case VFIOX_EVENT_PCI_BIND:
		return "bind";
	case VFIOX_EVENT_PCI_UNBIND:
		return "unbind";
	case VFIOX_EVENT_PCI_CHANGE:
		return "change";
	case VFIOX_EVENT_GROUP_ADD:
		return "group-add";
	case VFIOX_EVENT_GROUP_REMOVE:
		return "group-remove";
	default:
		return "unknown";
	}
}

/* ------------------------------------------------------------------ drivers seen */

static struct drv_slot *drv_find(struct vfiox_monitor *m, const char *dev)
{
	size_t i;

	for (i = 0; i < m->ndrv; i++)
		if (!strcmp(m->drv[i].dev, dev))
			return &m->drv[i];
	return NULL;
}

static void drv_set(struct vfiox_monitor *m, const char *dev, const char *driver)
{
	struct drv_slot *s = drv_find(m, dev);

	if (!s) {
		if (!driver[0])
			return;
		if (m->ndrv == m->drvcap) {
			size_t cap = m->drvcap ? m->drvcap * 2 : 64;
			struct drv_slot *d = realloc(m->drv, cap * sizeof(*d));

			if (!d)
				return; /* only the unbind message loses its driver name */
			m->drv = d;
			m->drvcap = cap;
		}
		s = &m->drv[m->ndrv++];
		snprintf(s->dev, sizeof(s->dev), "%s", dev);
	}
	snprintf(s->driver, sizeof(s->driver), "%s", driver);
}

struct snap {
	struct vfiox_monitor *m;
	int bus_fd;
};

static int snap_dev(void *arg, const char *name)
{
	struct snap *s = arg;
	char path[VFIOX_PCI_ADDR_STRLEN + 16], drv[64];

	if (strlen(name) >= VFIOX_PCI_ADDR_STRLEN)
		return 0;
	snprintf(path, sizeof(path), "%s/driver", name);
	if (!vfiox__read_link_name(s->bus_fd, path, drv, sizeof(drv)))
		drv_set(s->m, name, drv);
	return 0;
}

static void snapshot_drivers(struct vfiox_monitor *m)
{
	char path[PATH_MAX];
	struct snap s = { .m = m };

	snprintf(path, sizeof(path), "%s/bus/pci/devices", m->ctx->sysfs_root);
	s.bus_fd = vfiox_sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_PATH, 0);
	if (s.bus_fd < 0) {
		vfiox__dbg(m->ctx, "monitor: %s: %s; unbind events will not name the driver",
			   path, strerror(-s.bus_fd));
		return;
	}
	vfiox__for_each_dirent(s.bus_fd, ".", snap_dev, &s);
	vfiox_sys_close(s.bus_fd);
}

static int sysfs_group(struct vfiox_monitor *m, const char *dev)
{
	char path[PATH_MAX], name[32];
	long id;
	char *end;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", m->ctx->sysfs_root, dev);
	if (vfiox__read_link_name(AT_FDCWD, path, name, sizeof(name)))
		return -1;
	errno = 0;
	id = strtol(name, &end, 10);
	return errno || *end || end == name || id < 0 || id > INT_MAX ? -1 : (int)id;
}

/* ------------------------------------------------------------------ the monitor */

VFIOX_EXPORT int vfiox_monitor_new(struct vfiox_ctx *ctx, unsigned int flags,
				   struct vfiox_monitor **mp)
{
	struct epoll_event ee = { .events = EPOLLIN };
	struct vfiox_monitor *m;
	int ret;

	*mp = NULL;
	if ((flags & VFIOX_MONITOR_KERNEL) && (flags & VFIOX_MONITOR_UDEV))
		return vfiox__err(ctx, -EINVAL, "monitor: listen to the kernel or to udevd, not "
				  "both");
	m = calloc(1, sizeof(*m));
	if (!m)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	m->ctx = ctx;
	m->fd = -1;
	m->epfd = -1;
	m->text = malloc(MAX_EVENT_TEXT);
	if (!m->text) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto err_free;
	}
	m->kernel = (flags & VFIOX_MONITOR_KERNEL) || (!(flags & VFIOX_MONITOR_UDEV) && !vfiox__udevd_runs(NULL));
	errno = 0; /* udev_new() sets it on some failures only */
	m->udev = udev_new();
	if (!m->udev) {
		ret = vfiox__err(ctx, errno ? -errno : -ENOMEM, "monitor: libudev: udev_new failed");
		goto err_free;
	}
	errno = 0;
	m->mon = udev_monitor_new_from_netlink(m->udev, m->kernel ? "kernel" : "udev");
	if (!m->mon) {
		ret = errno ? -errno : -ENOMEM;
		ret = vfiox__err(ctx, ret, "monitor: cannot open the %s event socket: %s",
				 m->kernel ? "kernel" : "udev", strerror(-ret));
		goto err_udev;
	}
	if (udev_monitor_filter_add_match_subsystem_devtype(m->mon, "pci", NULL) < 0 ||
	    udev_monitor_filter_add_match_subsystem_devtype(m->mon, "vfio", NULL) < 0) {
		ret = vfiox__err(ctx, -ENOMEM, "monitor: cannot install the event filter");
		goto err_mon;
	}
	/* Bursts (a group bind, 64 VFs at once) must not overflow the default buffer. */
	udev_monitor_set_receive_buffer_size(m->mon, 4 * 1024 * 1024);
	ret = udev_monitor_enable_receiving(m->mon);
	if (ret < 0) {
		ret = ret == -1 ? (errno ? -errno : -EIO) : ret;
		ret = vfiox__err(ctx, ret, "monitor: cannot listen to %s events: %s%s",
				 m->kernel ? "kernel" : "udev", strerror(-ret),
				 ret == -EPERM || ret == -EACCES ? " (run as root)" : "");
		goto err_mon;
	}
	m->fd = udev_monitor_get_fd(m->mon);
	m->epfd = vfiox_sys_epoll_create();
	if (m->epfd < 0) {
		ret = vfiox__err(ctx, m->epfd, "monitor: epoll_create: %s", strerror(-m->epfd));
		goto err_mon;
	}
	ret = vfiox_sys_epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->fd, &ee);
	if (ret) {
		ret = vfiox__err(ctx, ret, "monitor: epoll_ctl: %s", strerror(-ret));
		goto err_epoll;
	}
	/* After the socket listens: a bind that races with this is seen as an event. */
	snapshot_drivers(m);
	vfiox__dbg(ctx, "monitor: listening to %s events", m->kernel ? "kernel" : "udev");
	*mp = m;
	return 0;
err_epoll:
	vfiox_sys_close(m->epfd);
err_mon:
	udev_monitor_unref(m->mon);
err_udev:
	udev_unref(m->udev);
err_free:
	free(m->text);
	free(m);
	return ret;
}

VFIOX_EXPORT void vfiox_monitor_free(struct vfiox_monitor *m)
{
	if (!m)
		return;
	if (m->epfd >= 0)
		vfiox_sys_close(m->epfd);
	udev_monitor_unref(m->mon);
	udev_unref(m->udev);
	free(m->drv);
	free(m->text);
	free(m);
}

/* The keys the kernel puts in PCI and vfio uevents; udevd adds every other one. */
static bool kernel_key(const char *kv)
{
	static const char *const keys[] = {
		"ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM", "DRIVER", "PCI_CLASS", "PCI_ID",
		"PCI_SUBSYS_ID", "PCI_SLOT_NAME", "MODALIAS", "MAJOR", "MINOR", "DEVNAME",
		"DEVMODE", "DEVUID", "DEVGID", "DEVTYPE", "SYNTH_UUID",
	};
	size_t i, n = strcspn(kv, "=");

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == n && !strncmp(kv, keys[i], n))
			return true;
	return !strncmp(kv, "SYNTH_ARG_", 10);
}

VFIOX_EXPORT const char *vfiox_monitor_udev_property(const struct vfiox_monitor *m, size_t i)
{
	size_t off = 0;

	if (m->kernel)
		return NULL;
	while (off < m->text_len) {
		const char *kv = m->text + off;

		off += strlen(kv) + 1;
		if (kernel_key(kv))
			continue;
		if (!i--)
			return kv;
	}
	return NULL;
}

VFIOX_EXPORT const char *vfiox_monitor_source(const struct vfiox_monitor *m)
{
	return m->kernel ? "kernel" : "udev";
}

VFIOX_EXPORT int vfiox_monitor_fd(const struct vfiox_monitor *m)
{
	return m->fd;
}

/* The device's properties as the decoder reads them; the length, or 0 when too long. */
static size_t event_text(struct vfiox_monitor *m, struct udev_device *d)
{
	struct udev_list_entry *e;
	size_t len = 0;

	udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d)) {
		const char *k = udev_list_entry_get_name(e), *v = udev_list_entry_get_value(e);
		size_t kl = strlen(k), vl = v ? strlen(v) : 0;

		if (len + kl + vl + 2 > MAX_EVENT_TEXT)
			return 0;
		memcpy(m->text + len, k, kl);
		m->text[len + kl] = '=';
		if (vl)
			memcpy(m->text + len + kl + 1, v, vl);
		m->text[len + kl + 1 + vl] = '\0';
		len += kl + vl + 2;
	}
	return len;
}

/* Fills in what the uevent does not say: the driver that left, the group, the node. */
static void enrich(struct vfiox_monitor *m, struct vfiox_event *ev)
{
	struct drv_slot *s;

	switch (ev->type) {
	case VFIOX_EVENT_GROUP_ADD:
	case VFIOX_EVENT_GROUP_REMOVE:
		snprintf(ev->devnode, sizeof(ev->devnode), "%s/vfio/%s%d", m->ctx->dev_root,
			 ev->noiommu ? "noiommu-" : "", ev->group);
		return;
	case VFIOX_EVENT_PCI_BIND:
		drv_set(m, ev->device, ev->driver);
		break;
	case VFIOX_EVENT_PCI_UNBIND:
		s = drv_find(m, ev->device);
		if (s) {
			if (!ev->driver[0])
				snprintf(ev->driver, sizeof(ev->driver), "%s", s->driver);
			s->driver[0] = '\0';
		}
		break;
	case VFIOX_EVENT_PCI_REMOVE:
		drv_set(m, ev->device, "");
		break;
	default:
		break;
	}
	if (ev->type != VFIOX_EVENT_PCI_REMOVE)
		ev->group = sysfs_group(m, ev->device);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

VFIOX_EXPORT int vfiox_monitor_next(struct vfiox_monitor *m, int timeout_ms,
				    struct vfiox_event *ev)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;

	for (;;) {
		struct epoll_event ee;
		struct udev_device *d;
		int n, wait;

		errno = 0;
		d = udev_monitor_receive_device(m->mon);
		if (d) {
			size_t len = event_text(m, d);
			int ret = len ? vfiox__uevent_decode(m->text, len, ev) : -EMSGSIZE;

			udev_device_unref(d);
			if (ret > 0) {
				m->text_len = len;
				enrich(m, ev);
				return 1;
			}
			if (ret < 0)
				vfiox__dbg(m->ctx, "monitor: skipped a malformed event (%s)",
					   strerror(-ret));
			continue;
		}
		if (errno == ENOBUFS)
			return vfiox__err(m->ctx, -ENOBUFS, "monitor: the kernel dropped events "
					  "(socket buffer overflow); rescan to resynchronise");
		if (errno && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			vfiox__dbg(m->ctx, "monitor: receive: %s", strerror(errno));
		if (timeout_ms == 0)
			return 0;
		if (timeout_ms < 0) {
			wait = -1;
		} else {
			long long left = deadline - now_ms();

			if (left <= 0)
				return 0;
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		n = vfiox_sys_epoll_wait(m->epfd, &ee, 1, wait);
		if (n < 0 && n != -EINTR)
			return vfiox__err(m->ctx, n, "monitor: epoll_wait: %s", strerror(-n));
	}
}
