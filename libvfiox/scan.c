// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Enumeration of PCI devices and IOMMU groups from sysfs.
 *
 * The scan reads as little as listing needs (uevent and the iommu_group link: four
 * system calls a device) and leaves the rest to the detail getters, which read on
 * first use. Everything is relative to one directory fd of <sysfs>/bus/pci/devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct scan_builder {
	struct vfiox_scan *scan;
	size_t cap;
	int *group_ids;
	size_t num_group_ids, cap_group_ids;
};

static void VFIOX_PRINTF(2, 3) set_warn(char **warn, const char *fmt, ...)
{
	va_list ap;

	if (*warn)
		return; /* the first reason is the one worth reading */
	va_start(ap, fmt);
	if (vasprintf(warn, fmt, ap) < 0)
		*warn = NULL;
	va_end(ap);
}

static int parse_hex(const char *s, int digits, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!*s || (digits && (int)strlen(s) != digits))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parses "VVVV:DDDD" as found in PCI_ID and PCI_SUBSYS_ID. */
static int parse_id_pair(const char *s, uint16_t *a, uint16_t *b)
{
	char first[5];
	unsigned long x, y;

	if (strlen(s) != 9 || s[4] != ':')
		return -EINVAL;
	memcpy(first, s, 4);
	first[4] = '\0';
	if (parse_hex(first, 4, 0xffff, &x) || parse_hex(s + 5, 4, 0xffff, &y))
		return -EINVAL;
	*a = (uint16_t)x;
	*b = (uint16_t)y;
	return 0;
}

/* Reads one of the "0x1234" id files. */
static int read_id_file(int dfd, const char *attr, unsigned long max, unsigned long *out)
{
	char buf[32];
	ssize_t n;

	n = vfiox__read_attr(dfd, attr, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (strncmp(buf, "0x", 2))
		return -EINVAL;
	return parse_hex(buf + 2, 0, max, out);
}



int vfiox__parse_uevent(struct vfiox_pci_dev *dev, char *text)
{
	char *line, *save = NULL;
	int have = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long v;

		if (!strncmp(line, "PCI_ID=", 7)) {
			if (!parse_id_pair(line + 7, &dev->vendor_id, &dev->device_id))
				have |= VFIOX_UEVENT_ID;
		} else if (!strncmp(line, "PCI_SUBSYS_ID=", 14)) {
			if (!parse_id_pair(line + 14, &dev->subsys_vendor_id,
					   &dev->subsys_device_id))
				have |= VFIOX_UEVENT_SUBSYS;
		} else if (!strncmp(line, "PCI_CLASS=", 10)) {
			if (!parse_hex(line + 10, 0, 0xffffff, &v)) {
				dev->class_code = (uint32_t)v;
				have |= VFIOX_UEVENT_CLASS;
			}
		} else if (!strncmp(line, "DRIVER=", 7) && line[7]) {
			free(dev->driver);
			dev->driver = strdup(line + 7);
			if (dev->driver)
				have |= VFIOX_UEVENT_DRIVER;
		}
	}
	return have;
}

/* The attribute files, for trees whose uevent is missing or damaged. */
static int read_ids_from_files(char **warn, int dfd, struct vfiox_pci_dev *dev, int have)
{
	unsigned long v, d, c;
	char name[256];

	if (!(have & VFIOX_UEVENT_ID)) {
		if (read_id_file(dfd, "vendor", 0xffff, &v) ||
		    read_id_file(dfd, "device", 0xffff, &d)) {
			set_warn(warn, "%s: skipped: neither uevent nor vendor/device give its ids",
				 dev->name);
			return -EINVAL;
		}
		dev->vendor_id = (uint16_t)v;
		dev->device_id = (uint16_t)d;
	}
	if (!(have & VFIOX_UEVENT_CLASS)) {
		if (read_id_file(dfd, "class", 0xffffff, &c)) {
			set_warn(warn, "%s: skipped: neither uevent nor class give its class",
				 dev->name);
			return -EINVAL;
		}
		dev->class_code = (uint32_t)c;
	}
	if (!(have & VFIOX_UEVENT_SUBSYS)) {
		if (!read_id_file(dfd, "subsystem_vendor", 0xffff, &v) &&
		    !read_id_file(dfd, "subsystem_device", 0xffff, &d)) {
			dev->subsys_vendor_id = (uint16_t)v;
			dev->subsys_device_id = (uint16_t)d;
		}
	}
	if (!(have & VFIOX_UEVENT_DRIVER)) {
		if (!vfiox__read_link_name(dfd, "driver", name, sizeof(name)))
			dev->driver = strdup(name);
	}
	return 0;
}

static int read_group_link(char **warn, int dfd, struct vfiox_pci_dev *dev)
{
	char name[64], *end;
	long id;

	dev->group_id = -1;
	if (vfiox__read_link_name(dfd, "iommu_group", name, sizeof(name)))
		return 0;
	errno = 0;
	id = strtol(name, &end, 10);
	if (errno || *end || end == name || id < 0 || id > 0x7fffffff) {
		set_warn(warn, "%s: iommu_group link points to '%s', not a group number", dev->name,
			 name);
		return 0;
	}
	dev->group_id = (int)id;
	return 0;
}

static void dev_release(struct vfiox_pci_dev *dev)
{
	free(dev->driver);
	free(dev->det.driver_override);
	free(dev->det.reset_method);
	free(dev->det.vfs);
	if (dev->cfg)
		free(dev->cfg->caps);
	free(dev->cfg);
}

/* Takes the names from bus/pci/devices; the reading comes later, maybe in parallel. */
static int add_device(void *arg, const char *name)
{
	struct scan_builder *b = arg;
	struct vfiox_scan *scan = b->scan;
	struct vfiox_pci_dev *dev;
	struct vfiox_pci_addr addr;

	if (vfiox_pci_addr_parse(name, &addr)) {
		vfiox__warn(scan->ctx, "bus/pci/devices/%s: skipped: not a PCI address", name);
		return 0;
	}
	if (scan->num_devs == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct vfiox_pci_dev *devs = realloc(scan->devs, cap * sizeof(*devs));

		if (!devs)
			return -ENOMEM;
		scan->devs = devs;
		b->cap = cap;
	}
	dev = &scan->devs[scan->num_devs++];
	memset(dev, 0, sizeof(*dev));
	dev->addr = addr;
	/* Keep the kernel's spelling: it is what every sysfs path uses. */
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->group_id = -1;
	return 0;
}

/*
 * Reads what listing needs. Runs on worker threads for large trees, so it touches only
 * @dev and reports through *@warn (logged later by the caller's thread).
 * Returns false when the device must be skipped.
 */
static bool read_device(int bus_fd, struct vfiox_pci_dev *dev, char **warn)
{
	char text[1024];
	int have = 0, dfd;

	/* Resolve the bus/pci/devices symlink once; the reads below are one step from it. */
	dfd = vfiox_sys_openat(bus_fd, dev->name, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0) {
		set_warn(warn, "%s: skipped: cannot open its sysfs directory: %s", dev->name,
			 strerror(-dfd));
		return false;
	}
	if (vfiox__read_attr(dfd, "uevent", text, sizeof(text)) >= 0) {
		have = vfiox__parse_uevent(dev, text);
		/* The kernel writes DRIVER= exactly when a driver is bound. */
		if (have & VFIOX_UEVENT_ID)
			have |= VFIOX_UEVENT_DRIVER;
	}
	if (read_ids_from_files(warn, dfd, dev, have)) {
		vfiox_sys_close(dfd);
		return false;
	}
	read_group_link(warn, dfd, dev);
	vfiox_sys_close(dfd);
	return true;
}

struct read_job {
	struct vfiox_scan *scan;
	size_t begin, end;
	char **warn;
	bool *keep;
};

static void *read_devices(void *arg)
{
	struct read_job *job = arg;
	size_t i;

	for (i = job->begin; i < job->end; i++)
		job->keep[i] = read_device(job->scan->bus_fd, &job->scan->devs[i], &job->warn[i]);
	return NULL;
}

/*
 * On a big host the scan is system calls that walk sysfs paths; they run in parallel on
 * other CPUs. Small trees are read on the caller's thread: threads would cost more.
 */
#define PARALLEL_MIN_DEVS 1024
#define MAX_READERS 4

static int read_all_devices(struct vfiox_scan *scan)
{
	struct read_job jobs[MAX_READERS];
	pthread_t tids[MAX_READERS];
	bool started[MAX_READERS] = { false };
	size_t n = scan->num_devs, i, kept = 0, nthreads = 1;
	char **warn;
	bool *keep;
	long cpus;

	if (!n)
		return 0;
	warn = calloc(n, sizeof(*warn));
	keep = calloc(n, sizeof(*keep));
	if (!warn || !keep) {
		free(warn);
		free(keep);
		return -ENOMEM;
	}
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n >= PARALLEL_MIN_DEVS && cpus > 1)
		nthreads = (size_t)cpus < MAX_READERS ? (size_t)cpus : MAX_READERS;
	for (i = 0; i < nthreads; i++)
		jobs[i] = (struct read_job){ .scan = scan, .begin = n * i / nthreads,
					     .end = n * (i + 1) / nthreads, .warn = warn,
					     .keep = keep };
	for (i = 1; i < nthreads; i++)
		started[i] = !pthread_create(&tids[i], NULL, read_devices, &jobs[i]);
	read_devices(&jobs[0]);
	for (i = 1; i < nthreads; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			read_devices(&jobs[i]); /* no thread: do its share here */
	}

	for (i = 0; i < n; i++) {
		if (warn[i]) {
			vfiox__warn(scan->ctx, "%s", warn[i]);
			free(warn[i]);
		}
		if (keep[i])
			scan->devs[kept++] = scan->devs[i];
		else
			dev_release(&scan->devs[i]);
	}
	scan->num_devs = kept;
	free(warn);
	free(keep);
	return 0;
}

static int add_group_id(struct scan_builder *b, int id)
{
	if (b->num_group_ids == b->cap_group_ids) {
		size_t cap = b->cap_group_ids ? b->cap_group_ids * 2 : 64;
		int *ids = realloc(b->group_ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		b->group_ids = ids;
		b->cap_group_ids = cap;
	}
	b->group_ids[b->num_group_ids++] = id;
	return 0;
}

static int add_group_dirent(void *arg, const char *name)
{
	struct scan_builder *b = arg;
	char *end;
	long id;

	errno = 0;
	id = strtol(name, &end, 10);
	if (errno || *end || end == name || id < 0 || id > 0x7fffffff) {
		vfiox__warn(b->scan->ctx, "kernel/iommu_groups/%s: skipped: not a group number",
			    name);
		return 0;
	}
	return add_group_id(b, (int)id);
}

static int cmp_dev(const void *a, const void *b)
{
	const struct vfiox_pci_dev *x = a, *y = b;

	return vfiox_pci_addr_cmp(&x->addr, &y->addr);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static struct vfiox_group *group_by_id(const struct vfiox_scan *scan, int id)
{
	size_t lo = 0, hi = scan->num_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (scan->groups[mid].id == id)
			return &scan->groups[mid];
		if (scan->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Builds the groups from the group directory and the devices' links. */
static int build_groups(struct scan_builder *b)
{
	struct vfiox_scan *scan = b->scan;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < scan->num_devs; i++) {
		if (scan->devs[i].group_id >= 0) {
			ret = add_group_id(b, scan->devs[i].group_id);
			if (ret)
				return ret;
		}
	}
	if (!b->num_group_ids)
		return 0;
	qsort(b->group_ids, b->num_group_ids, sizeof(int), cmp_int);
	for (i = 0; i < b->num_group_ids; i++)
		if (!n || b->group_ids[n - 1] != b->group_ids[i])
			b->group_ids[n++] = b->group_ids[i];

	scan->groups = calloc(n, sizeof(*scan->groups));
	if (!scan->groups)
		return -ENOMEM;
	scan->num_groups = n;
	for (i = 0; i < n; i++)
		scan->groups[i].id = b->group_ids[i];

	/* Count, allocate, fill: devices are sorted, so members come out in order. */
	for (i = 0; i < scan->num_devs; i++) {
		struct vfiox_pci_dev *dev = &scan->devs[i];
		struct vfiox_group *g;

		if (dev->group_id < 0)
			continue;
		g = group_by_id(scan, dev->group_id);
		g->num_devs++;
		if (!vfiox_driver_keeps_group_viable(dev->driver))
			g->num_blockers++;
	}
	for (i = 0; i < n; i++) {
		struct vfiox_group *g = &scan->groups[i];

		g->devs = calloc(g->num_devs + g->num_blockers + 1, sizeof(*g->devs));
		if (!g->devs)
			return -ENOMEM;
		g->blockers = g->devs + g->num_devs;
		g->num_devs = 0;
		g->num_blockers = 0;
	}
	for (i = 0; i < scan->num_devs; i++) {
		struct vfiox_pci_dev *dev = &scan->devs[i];
		struct vfiox_group *g;

		if (dev->group_id < 0)
			continue;
		g = group_by_id(scan, dev->group_id);
		g->devs[g->num_devs++] = dev;
		if (!vfiox_driver_keeps_group_viable(dev->driver))
			g->blockers[g->num_blockers++] = dev;
	}
	return 0;
}

VFIOX_EXPORT int vfiox_scan_new(struct vfiox_ctx *ctx, struct vfiox_scan **scanp)
{
	struct scan_builder b = { 0 };
	struct vfiox_scan *scan;
	char path[4096];
	size_t i;
	int ret;

	scan = calloc(1, sizeof(*scan));
	if (!scan)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	scan->ctx = ctx;
	b.scan = scan;
	snprintf(path, sizeof(path), "%s/bus/pci/devices", ctx->sysfs_root);
	scan->bus_fd = vfiox_sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_PATH, 0);
	if (scan->bus_fd < 0) {
		ret = vfiox__err(ctx, scan->bus_fd,
				 "cannot open %s: %s (is sysfs mounted, and is the sysfs root right?)",
				 path, strerror(-scan->bus_fd));
		goto err_free;
	}
	ret = vfiox__for_each_dirent(scan->bus_fd, ".", add_device, &b);
	if (ret) {
		vfiox__err(ctx, ret, "cannot read %s: %s", path, strerror(-ret));
		goto err_devs;
	}
	ret = read_all_devices(scan);
	if (ret) {
		vfiox__err(ctx, ret, "out of memory while reading %s", path);
		goto err_devs;
	}
	if (scan->num_devs)
		qsort(scan->devs, scan->num_devs, sizeof(*scan->devs), cmp_dev);
	for (i = 0; i < scan->num_devs; i++)
		scan->devs[i].scan = scan;

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", ctx->sysfs_root);
	ret = vfiox__for_each_dirent(AT_FDCWD, path, add_group_dirent, &b);
	if (ret && ret != -ENOENT) {
		vfiox__err(ctx, ret, "cannot read %s: %s", path, strerror(-ret));
		goto err_devs;
	}
	ret = build_groups(&b);
	if (ret) {
		vfiox__err(ctx, ret, "out of memory while grouping devices");
		goto err_devs;
	}
	free(b.group_ids);
	*scanp = scan;
	return 0;

err_devs:
	free(b.group_ids);
	vfiox_scan_free(scan);
	return ret;
err_free:
	free(scan);
	return ret;
}

VFIOX_EXPORT void vfiox_scan_free(struct vfiox_scan *scan)
{
	size_t i;

	if (!scan)
		return;
	for (i = 0; i < scan->num_devs; i++)
		dev_release(&scan->devs[i]);
	for (i = 0; i < scan->num_groups; i++)
		free(scan->groups[i].devs);
	free(scan->groups);
	free(scan->devs);
	vfiox__names_free(scan);
	if (scan->bus_fd >= 0)
		vfiox_sys_close(scan->bus_fd);
	free(scan);
}

VFIOX_EXPORT size_t vfiox_scan_num_devs(const struct vfiox_scan *scan)
{
	return scan->num_devs;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_scan_dev(const struct vfiox_scan *scan, size_t idx)
{
	return idx < scan->num_devs ? &scan->devs[idx] : NULL;
}

static struct vfiox_pci_dev *dev_by_addr(const struct vfiox_scan *scan,
					 const struct vfiox_pci_addr *addr)
{
	struct vfiox_pci_dev key = { .addr = *addr };

	/* An empty scan has no array: bsearch must not see its NULL. */
	if (!scan->num_devs)
		return NULL;
	return bsearch(&key, scan->devs, scan->num_devs, sizeof(key), cmp_dev);
}

VFIOX_EXPORT int vfiox_scan_find_dev(const struct vfiox_scan *scan, const char *addr,
				     struct vfiox_pci_dev **devp)
{
	struct vfiox_pci_addr a;
	struct vfiox_pci_dev *dev;

	if (vfiox_pci_addr_parse(addr, &a))
		return vfiox__err(scan->ctx, -EINVAL,
				  "'%s' is not a PCI address (expected DDDD:BB:DD.F or BB:DD.F, "
				  "hexadecimal, as lspci -D prints)", addr ? addr : "(null)");
	dev = dev_by_addr(scan, &a);
	if (!dev) {
		char canon[VFIOX_PCI_ADDR_STRLEN];

		vfiox_pci_addr_format(&a, canon, sizeof(canon));
		return vfiox__err(scan->ctx, -ENODEV,
				  "no PCI device %s under %s/bus/pci/devices "
				  "(see 'vfioctl list' for the devices present)",
				  canon, scan->ctx->sysfs_root);
	}
	*devp = dev;
	return 0;
}

VFIOX_EXPORT size_t vfiox_scan_num_groups(const struct vfiox_scan *scan)
{
	return scan->num_groups;
}

VFIOX_EXPORT struct vfiox_group *vfiox_scan_group(const struct vfiox_scan *scan, size_t idx)
{
	return idx < scan->num_groups ? &scan->groups[idx] : NULL;
}

VFIOX_EXPORT int vfiox_scan_find_group(const struct vfiox_scan *scan, int id,
				       struct vfiox_group **groupp)
{
	struct vfiox_group *g = group_by_id(scan, id);

	if (!g) {
		if (!scan->num_groups)
			return vfiox__err(scan->ctx, -ENOENT,
					  "no IOMMU group %d: this host has no IOMMU groups at all "
					  "(the IOMMU is off; see 'vfioctl list')", id);
		return vfiox__err(scan->ctx, -ENOENT,
				  "no IOMMU group %d (see 'vfioctl list' for the groups present)", id);
	}
	*groupp = g;
	return 0;
}

VFIOX_EXPORT struct vfiox_ctx *vfiox_scan_ctx(const struct vfiox_scan *scan)
{
	return scan->ctx;
}

/* Identity getters. */

VFIOX_EXPORT const struct vfiox_pci_addr *vfiox_pci_dev_addr(const struct vfiox_pci_dev *dev)
{
	return &dev->addr;
}

VFIOX_EXPORT const char *vfiox_pci_dev_name(const struct vfiox_pci_dev *dev)
{
	return dev->name;
}

VFIOX_EXPORT uint16_t vfiox_pci_dev_vendor_id(const struct vfiox_pci_dev *dev)
{
	return dev->vendor_id;
}

VFIOX_EXPORT uint16_t vfiox_pci_dev_device_id(const struct vfiox_pci_dev *dev)
{
	return dev->device_id;
}

VFIOX_EXPORT uint16_t vfiox_pci_dev_subsys_vendor_id(const struct vfiox_pci_dev *dev)
{
	return dev->subsys_vendor_id;
}

VFIOX_EXPORT uint16_t vfiox_pci_dev_subsys_device_id(const struct vfiox_pci_dev *dev)
{
	return dev->subsys_device_id;
}

VFIOX_EXPORT uint32_t vfiox_pci_dev_class(const struct vfiox_pci_dev *dev)
{
	return dev->class_code;
}

VFIOX_EXPORT const char *vfiox_pci_dev_driver(const struct vfiox_pci_dev *dev)
{
	return dev->driver;
}

VFIOX_EXPORT int vfiox_pci_dev_iommu_group(const struct vfiox_pci_dev *dev)
{
	return dev->group_id;
}

VFIOX_EXPORT bool vfiox_pci_dev_is_bridge(const struct vfiox_pci_dev *dev)
{
	uint32_t cls = dev->class_code >> 8;

	return cls == 0x0604 || cls == 0x0609;
}

/* Details. */

static int detail_int(struct vfiox_pci_dev *dev, const char *attr, int base)
{
	char path[64];
	long v;

	snprintf(path, sizeof(path), "%s/%s", dev->name, attr);
	if (vfiox__read_attr_long(dev->scan->bus_fd, path, base, &v) || v < -1 || v > 0x7fffffff)
		return -1;
	return (int)v;
}

static char *detail_str(struct vfiox_pci_dev *dev, const char *attr)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "%s/%s", dev->name, attr);
	if (vfiox__read_attr(dev->scan->bus_fd, path, buf, sizeof(buf)) < 0)
		return NULL;
	return strdup(buf);
}

static void load_vfs(struct vfiox_pci_dev *dev)
{
	struct vfiox_scan *scan = dev->scan;
	char path[64], name[64];
	struct vfiox_pci_addr a;
	size_t i, max = dev->det.sriov_totalvfs > 0 ? (size_t)dev->det.sriov_totalvfs : 0;

	/* virtfnN links are dense from 0; stop at the first missing one. */
	for (i = 0; i < max; i++) {
		struct vfiox_pci_dev *vf, **vfs;

		snprintf(path, sizeof(path), "%s/virtfn%zu", dev->name, i);
		if (vfiox__read_link_name(scan->bus_fd, path, name, sizeof(name)))
			break;
		if (vfiox_pci_addr_parse(name, &a) || !(vf = dev_by_addr(scan, &a)))
			continue;
		vfs = realloc(dev->det.vfs, (dev->det.num_vfs + 1) * sizeof(*vfs));
		if (!vfs)
			break;
		dev->det.vfs = vfs;
		vfs[dev->det.num_vfs++] = vf;
	}
}

static void load_details(struct vfiox_pci_dev *dev)
{
	struct vfiox_pci_addr a;
	char path[64], name[64];
	long v;

	if (dev->details_loaded)
		return;
	dev->details_loaded = true;

	snprintf(path, sizeof(path), "%s/revision", dev->name);
	dev->det.revision = -1;
	if (!vfiox__read_attr_long(dev->scan->bus_fd, path, 16, &v) && v >= 0 && v <= 0xff)
		dev->det.revision = (int)v;
	dev->det.numa_node = detail_int(dev, "numa_node", 10);
	dev->det.boot_vga = detail_int(dev, "boot_vga", 10);
	if (dev->det.boot_vga > 1)
		dev->det.boot_vga = -1;
	dev->det.sriov_totalvfs = detail_int(dev, "sriov_totalvfs", 10);
	dev->det.sriov_numvfs = dev->det.sriov_totalvfs >= 0 ? detail_int(dev, "sriov_numvfs", 10)
							     : -1;
	dev->det.driver_override = detail_str(dev, "driver_override");
	if (dev->det.driver_override &&
	    (!*dev->det.driver_override || !strcmp(dev->det.driver_override, "(null)"))) {
		free(dev->det.driver_override);
		dev->det.driver_override = NULL;
	}
	dev->det.reset_method = detail_str(dev, "reset_method");

	snprintf(path, sizeof(path), "%s/physfn", dev->name);
	if (!vfiox__read_link_name(dev->scan->bus_fd, path, name, sizeof(name)) &&
	    !vfiox_pci_addr_parse(name, &a))
		dev->det.physfn = dev_by_addr(dev->scan, &a);
	if (dev->det.sriov_totalvfs > 0)
		load_vfs(dev);
}

VFIOX_EXPORT int vfiox_pci_dev_revision(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.revision;
}

VFIOX_EXPORT const char *vfiox_pci_dev_driver_override(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.driver_override;
}

VFIOX_EXPORT int vfiox_pci_dev_numa_node(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.numa_node;
}

VFIOX_EXPORT const char *vfiox_pci_dev_reset_method(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.reset_method;
}

VFIOX_EXPORT int vfiox_pci_dev_boot_vga(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.boot_vga;
}

VFIOX_EXPORT int vfiox_pci_dev_sriov_totalvfs(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.sriov_totalvfs;
}

VFIOX_EXPORT int vfiox_pci_dev_sriov_numvfs(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.sriov_numvfs;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_pci_dev_physfn(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.physfn;
}

VFIOX_EXPORT size_t vfiox_pci_dev_num_vfs(struct vfiox_pci_dev *dev)
{
	load_details(dev);
	return dev->det.num_vfs;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_pci_dev_vf(struct vfiox_pci_dev *dev, size_t idx)
{
	load_details(dev);
	return idx < dev->det.num_vfs ? dev->det.vfs[idx] : NULL;
}
