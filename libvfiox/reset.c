// SPDX-License-Identifier: LGPL-2.1-or-later
/* Device reset: VFIO_DEVICE_RESET, and the hot reset of a slot or bus with its plan. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <vfiox/reset.h>

#include "internal.h"

/* Kernels before 6.5 do not have the cdev form of the reply; the bit is ABI. */
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID (1 << 0)
#endif
#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED (1 << 1)
#endif
#define DEVID_NOT_OWNED 0xffffffffu

/* Room for this many devices in the first query: one bus rarely holds more. */
#define FIRST_ROOM 8
/* A bus and everything below it: more than this is not believed. */
#define MAX_RESET_DEVS 4096
/* Devices named per group in a message; last_error holds 512 bytes. */
#define MAX_NAMED 4

struct reset_dev {
	struct vfiox_pci_addr addr;
	int group;
	bool not_owned; /* cdev form: not open in the caller's iommufd */
	char name[VFIOX_PCI_ADDR_STRLEN];
};

struct vfiox_reset_plan {
	bool by_devid; /* the cdev form of the reply: devices named by iommufd device id */
	bool all_owned;
	size_t num_devs;
	struct reset_dev *devs;
	size_t num_groups;
	int *groups;
};

/* A bounded string builder: appends until full, then only remembers that it was cut. */
struct sbuf {
	char *buf;
	size_t len, size;
};

static void VFIOX_PRINTF(2, 3) sb_add(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->len + 1 >= sb->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len = sb->len + (size_t)n < sb->size ? sb->len + (size_t)n : sb->size - 1;
}

/* ------------------------------------------------------------------ VFIO_DEVICE_RESET */

/*
 * The device's reset_method from sysfs into @buf, through a scan so that the answer is
 * the one 'vfioctl show' gives: 1, 0 when the attribute is absent, -1 when sysfs does not
 * have the device. A failing scan sets the last error; the caller sets its own after.
 */
static int lookup_reset_method(struct vfiox_device *d, char *buf, size_t len)
{
	struct vfiox_pci_dev *dev;
	struct vfiox_scan *scan;
	const char *m = NULL;

	buf[0] = '\0';
	if (vfiox_scan_new(d->ctx, &scan))
		return -1;
	if (vfiox_scan_find_dev(scan, d->name, &dev)) {
		vfiox_scan_free(scan);
		return -1;
	}
	m = vfiox_pci_dev_reset_method(dev);
	if (m)
		snprintf(buf, len, "%s", m);
	vfiox_scan_free(scan);
	return m != NULL;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

VFIOX_EXPORT int vfiox_device_reset(struct vfiox_device *d)
{
	char method[128], hint[256];
	int known, ret;

	ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_RESET, NULL);
	if (ret >= 0)
		return 0;
	if (ret == -EAGAIN || ret == -EBUSY)
		return vfiox__err(d->ctx, ret, "cannot reset %s now (%s): another reset of the "
				  "device or of its bus holds it; try again", d->name,
				  strerror(-ret));
	if (ret != -EINVAL && ret != -ENOTTY)
		return vfiox__err(d->ctx, ret, "cannot reset %s: VFIO_DEVICE_RESET: %s", d->name,
				  strerror(-ret));
	known = lookup_reset_method(d, method, sizeof(method));
	if (known < 0)
		snprintf(hint, sizeof(hint), "its reset_method is unknown (%s is not in sysfs)",
			 d->name);
	else if (!known)
		snprintf(hint, sizeof(hint), "its reset_method is unknown (sysfs has no "
			 "reset_method for it)");
	else if (!method[0])
		snprintf(hint, sizeof(hint), "its reset_method is empty: the kernel knows no way "
			 "to reset it (a hot reset of its bus may still work)");
	else if (!has_word(method, "flr") && !has_word(method, "af_flr") &&
		 !has_word(method, "pm") && !has_word(method, "device_specific"))
		snprintf(hint, sizeof(hint), "its reset_method is \"%s\": a reset of its %s would "
			 "also reset the other devices there; use a hot reset "
			 "(vfioctl reset --plan lists what it touches)", method,
			 has_word(method, "bus") || has_word(method, "cxl_bus") ? "bus" : "slot");
	else
		snprintf(hint, sizeof(hint), "its reset_method is \"%s\", yet the kernel found "
			 "none of them usable when the device was opened", method);
	return vfiox__err(d->ctx, ret, "cannot reset %s on its own: the kernel refused "
			  "VFIO_DEVICE_RESET (%s); %s", d->name, strerror(-ret), hint);
}

/* ------------------------------------------------------------------ the plan */

static int cmp_dev(const void *a, const void *b)
{
	const struct reset_dev *x = a, *y = b;

	return vfiox_pci_addr_cmp(&x->addr, &y->addr);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Decodes a reply the kernel accepted; @room is how many entries the buffer had. */
static int decode_plan(struct vfiox_device *d, const struct vfio_pci_hot_reset_info *info,
		       size_t room, struct vfiox_reset_plan **planp)
{
	struct vfiox_reset_plan *plan;
	size_t i, n = info->count;
	int ret;

	if (n == 0)
		return vfiox__err(d->ctx, -EPROTO, "%s: malformed hot reset info from the kernel: "
				  "it names no device, not even %s", d->name, d->name);
	if (n > room)
		return vfiox__err(d->ctx, -EPROTO, "%s: malformed hot reset info from the kernel: "
				  "it claims %zu devices, the buffer had room for %zu", d->name, n,
				  room);
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	plan->by_devid = info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
	plan->all_owned = info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	plan->devs = calloc(n, sizeof(*plan->devs));
	plan->groups = calloc(n, sizeof(*plan->groups));
	if (!plan->devs || !plan->groups) {
		ret = vfiox__err(d->ctx, -ENOMEM, "out of memory");
		goto err_free_plan;
	}
	for (i = 0; i < n; i++) {
		const struct vfio_pci_dependent_device *k = &info->devices[i];
		struct reset_dev *r = &plan->devs[i];

		if (!plan->by_devid && k->group_id > INT_MAX) {
			ret = vfiox__err(d->ctx, -EPROTO, "%s: malformed hot reset info from the "
					 "kernel: device %zu is in IOMMU group %u", d->name, i,
					 k->group_id);
			goto err_free_plan;
		}
		r->addr = (struct vfiox_pci_addr){ .domain = k->segment, .bus = k->bus,
						   .dev = k->devfn >> 3, .func = k->devfn & 7 };
		vfiox_pci_addr_format(&r->addr, r->name, sizeof(r->name));
		if (plan->by_devid) {
			/* The cdev form names iommufd device ids; the group comes from sysfs. */
			char path[4096], id[32];

			r->not_owned = k->group_id == DEVID_NOT_OWNED; /* the devid, in the same place */
			snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group",
				 d->ctx->sysfs_root, r->name);
			r->group = vfiox__read_link_name(AT_FDCWD, path, id, sizeof(id)) ? -1
											 : atoi(id);
		} else {
			r->group = (int)k->group_id;
		}
		plan->groups[i] = r->group;
	}
	plan->num_devs = n;
	qsort(plan->devs, n, sizeof(*plan->devs), cmp_dev);
	qsort(plan->groups, n, sizeof(*plan->groups), cmp_int);
	for (i = 0; i < n; i++)
		if (!plan->num_groups || plan->groups[plan->num_groups - 1] != plan->groups[i])
			plan->groups[plan->num_groups++] = plan->groups[i];
	*planp = plan;
	return 0;
err_free_plan:
	vfiox_reset_plan_free(plan);
	return ret;
}

static int plan_error(struct vfiox_device *d, int err)
{
	switch (err) {
	case -ENODEV:
		return vfiox__err(d->ctx, err, "%s cannot be hot reset: neither its slot nor its "
				  "bus can be reset (it may sit on a root bus, or the bridge above "
				  "it cannot do a secondary bus reset)", d->name);
	case -EPERM:
		return vfiox__err(d->ctx, err, "%s cannot be hot reset: a device on its bus or "
				  "slot is in no IOMMU group, and the kernel resets only isolated "
				  "devices (is the IOMMU on? intel_iommu=on / amd_iommu=on)",
				  d->name);
	case -ENOTTY:
		return vfiox__err(d->ctx, err, "%s has no hot reset: the kernel does not know "
				  "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO for it (not a vfio-pci "
				  "device)", d->name);
	default:
		return vfiox__err(d->ctx, err, "%s: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s",
				  d->name, strerror(-err));
	}
}

/*
 * Query, then resize: a buffer too small for every device gets -ENOSPC with count filled
 * in. Devices may come and go between the calls, hence more than one retry.
 */
VFIOX_EXPORT int vfiox_device_hot_reset_plan(struct vfiox_device *d,
					     struct vfiox_reset_plan **planp)
{
	struct vfio_pci_hot_reset_info *info = NULL;
	size_t room = FIRST_ROOM, size;
	int attempt, ret;

	for (attempt = 0; attempt < 3; attempt++) {
		size = sizeof(*info) + room * sizeof(info->devices[0]);
		free(info);
		info = calloc(1, size);
		if (!info)
			return vfiox__err(d->ctx, -ENOMEM, "out of memory");
		*info = (struct vfio_pci_hot_reset_info){ .argsz = (uint32_t)size };
		ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
		if (ret >= 0) {
			ret = decode_plan(d, info, room, planp);
			goto out_free_info;
		}
		if (ret != -ENOSPC) {
			ret = plan_error(d, ret);
			goto out_free_info;
		}
		if (info->count <= room) {
			ret = vfiox__err(d->ctx, -EPROTO, "%s: the kernel found the buffer too "
					 "small for its hot reset info (ENOSPC), yet asks for %u "
					 "devices where %zu fit",
					 d->name, info->count, room);
			goto out_free_info;
		}
		if (info->count > MAX_RESET_DEVS) {
			ret = vfiox__err(d->ctx, -EPROTO, "%s: the kernel claims its hot reset "
					 "touches %u devices, more than the %d believed", d->name,
					 info->count, MAX_RESET_DEVS);
			goto out_free_info;
		}
		room = info->count;
	}
	ret = vfiox__err(d->ctx, -EPROTO, "%s: the hot reset info kept growing (%zu devices "
			 "and more)", d->name, room);
out_free_info:
	free(info);
	return ret;
}

VFIOX_EXPORT void vfiox_reset_plan_free(struct vfiox_reset_plan *plan)
{
	if (!plan)
		return;
	free(plan->devs);
	free(plan->groups);
	free(plan);
}

VFIOX_EXPORT size_t vfiox_reset_plan_num_devs(const struct vfiox_reset_plan *plan)
{
	return plan->num_devs;
}

VFIOX_EXPORT const struct vfiox_pci_addr *
vfiox_reset_plan_dev_addr(const struct vfiox_reset_plan *plan, size_t idx)
{
	return idx < plan->num_devs ? &plan->devs[idx].addr : NULL;
}

VFIOX_EXPORT const char *vfiox_reset_plan_dev_name(const struct vfiox_reset_plan *plan,
						   size_t idx)
{
	return idx < plan->num_devs ? plan->devs[idx].name : NULL;
}

VFIOX_EXPORT int vfiox_reset_plan_dev_group(const struct vfiox_reset_plan *plan, size_t idx)
{
	return idx < plan->num_devs ? plan->devs[idx].group : -ERANGE;
}

VFIOX_EXPORT size_t vfiox_reset_plan_num_groups(const struct vfiox_reset_plan *plan)
{
	return plan->num_groups;
}

VFIOX_EXPORT int vfiox_reset_plan_group(const struct vfiox_reset_plan *plan, size_t idx)
{
	return idx < plan->num_groups ? plan->groups[idx] : -ERANGE;
}

/* ------------------------------------------------------------------ the hot reset */

static struct vfiox_vgroup *find_group(struct vfiox_vgroup *const *groups, size_t n, int id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (groups[i]->id == id)
			return groups[i];
	return NULL;
}

/*
 * Into @buf: the SR-IOV VFs among the devices of @plan (the not-owned ones with @only,
 * those in the groups @missing marks when given, else all), and what that means; "" when
 * there are none. Linux keeps every VF in a device set of its own since mid-2025 (6.16,
 * and the stable kernels such as 6.12.y): a hot reset of the PF then never counts its VFs
 * as the caller's, however they are opened.
 */
static void vf_hint(struct vfiox_device *d, const struct vfiox_reset_plan *plan, bool only,
		    const bool *missing, char *buf, size_t len)
{
	struct sbuf sb = { buf, 0, len };
	char pf[32] = "", path[4096];
	size_t i, g, n = 0;

	buf[0] = '\0';
	for (i = 0; i < plan->num_devs; i++) {
		const struct reset_dev *r = &plan->devs[i];
		bool in_missing = false;

		for (g = 0; missing && g < plan->num_groups; g++)
			in_missing |= missing[g] && plan->groups[g] == r->group;
		if ((only && !r->not_owned) || (missing && !in_missing))
			continue;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/physfn", d->ctx->sysfs_root,
			 r->name);
		if (vfiox__read_link_name(AT_FDCWD, path, pf, sizeof(pf)) < 0)
			continue;
		if (n < MAX_NAMED)
			sb_add(&sb, "%s%s", n ? ", " : "; ", r->name);
		n++;
	}
	if (n)
		sb_add(&sb, " %s SR-IOV VF%s of %s: a kernel that keeps VFs in device sets of "
		       "their own (Linux 6.16, and stable kernels since mid-2025) never resets "
		       "them along with their PF; disable the VFs first (vfioctl sriov %s --vfs 0)",
		       n == 1 ? "is an" : "are", n == 1 ? "" : "s", pf, pf);
}

/*
 * "hot reset of X also resets A in IOMMU group 8 and B, C in IOMMU group 9, which are
 * not ours: open groups 8 and 9 and pass them", with a clause for X's own group.
 */
static int refuse_missing(struct vfiox_device *d, const struct vfiox_reset_plan *plan,
			  const bool *missing, const struct vfiox_pci_addr *self)
{
	char msg[sizeof(d->ctx->last_error)], ids[160], hint[512];
	struct sbuf sb = { msg, 0, sizeof(msg) }, sid = { ids, 0, sizeof(ids) };
	size_t g, i, others = 0, done = 0;
	int own = -1;

	for (g = 0; g < plan->num_groups; g++) {
		if (!missing[g])
			continue;
		for (i = 0; i < plan->num_devs && self; i++)
			if (plan->devs[i].group == plan->groups[g] &&
			    !vfiox_pci_addr_cmp(&plan->devs[i].addr, self))
				own = plan->groups[g];
		if (own != plan->groups[g])
			others++;
	}
	sb_add(&sb, "hot reset of %s", d->name);
	if (others)
		sb_add(&sb, " also resets");
	for (g = 0; g < plan->num_groups; g++) {
		size_t named = 0, left = 0;

		if (!missing[g] || plan->groups[g] == own)
			continue;
		done++;
		sb_add(&sb, "%s", done == 1 ? " " : done == others ? " and " : "; ");
		for (i = 0; i < plan->num_devs; i++) {
			if (plan->devs[i].group != plan->groups[g])
				continue;
			if (named < MAX_NAMED)
				sb_add(&sb, "%s%s", named++ ? ", " : "", plan->devs[i].name);
			else
				left++;
		}
		if (left)
			sb_add(&sb, " and %zu more", left);
		sb_add(&sb, " in IOMMU group %d", plan->groups[g]);
		sb_add(&sid, "%s%d", done == 1 ? "" : done == others ? " and " : ", ",
		       plan->groups[g]);
	}
	if (others)
		sb_add(&sb, ", which %s not ours: open group%s %s and pass %s",
		       others == 1 ? "is" : "are", others == 1 ? "" : "s", ids,
		       others == 1 ? "it" : "them");
	if (own >= 0)
		sb_add(&sb, "%s its own IOMMU group %d, which was not passed: pass it too",
		       others ? "; it also needs" : " needs", own);
	vf_hint(d, plan, false, missing, hint, sizeof(hint));
	return vfiox__err(d->ctx, -EPERM, "%s%s", msg, hint);
}

static int hot_reset_error(struct vfiox_device *d, const struct vfiox_reset_plan *plan, int err)
{
	char hint[512];

	switch (err) {
	case -EPERM:
	case -EINVAL:
		vf_hint(d, plan, false, NULL, hint, sizeof(hint));
		return vfiox__err(d->ctx, err, "the kernel refused the hot reset of %s (%s): "
				  "every device it touches must be bound to vfio-pci, and those "
				  "that are open must be open here, in the groups passed; another "
				  "process may hold one of them ('vfioctl show' lists the "
				  "holders)%s", d->name, strerror(-err), hint);
	case -EBUSY:
	case -EAGAIN:
		return vfiox__err(d->ctx, err, "the hot reset of %s could not start (%s): a device "
				  "it touches is busy (locked by the host or by another reset); "
				  "try again", d->name, strerror(-err));
	case -ENOTTY:
		return vfiox__err(d->ctx, err, "%s has no hot reset: the kernel answers "
				  "VFIO_DEVICE_PCI_HOT_RESET with ENOTTY (not a vfio-pci device, "
				  "or no slot or bus reset the kernel can do for it)", d->name);
	case -ENODEV:
		return plan_error(d, err);
	default:
		return vfiox__err(d->ctx, err, "the hot reset of %s failed: "
				  "VFIO_DEVICE_PCI_HOT_RESET: %s", d->name, strerror(-err));
	}
}

/* A device bound by its cdev: every device the reset touches must be open in its iommufd. */
static int hot_reset_cdev(struct vfiox_device *d)
{
	struct vfio_pci_hot_reset req = { .argsz = sizeof(req), .count = 0 };
	struct vfiox_reset_plan *plan = NULL;
	char msg[sizeof(d->ctx->last_error)], hint[512];
	struct sbuf sb = { msg, 0, sizeof(msg) };
	size_t i, named = 0;
	int ret;

	ret = vfiox_device_hot_reset_plan(d, &plan);
	if (ret)
		return ret;
	if (!plan->all_owned) {
		sb_add(&sb, "hot reset of %s also resets", d->name);
		for (i = 0; i < plan->num_devs; i++)
			if (plan->devs[i].not_owned && named < MAX_NAMED)
				sb_add(&sb, "%s%s", named++ ? ", " : " ", plan->devs[i].name);
		sb_add(&sb, ", which %s not open in this iommufd: open %s by %s cdev and bind "
		       "%s to the same iommufd first", named == 1 ? "is" : "are",
		       named == 1 ? "it" : "them", named == 1 ? "its" : "their",
		       named == 1 ? "it" : "them");
		vf_hint(d, plan, true, NULL, hint, sizeof(hint));
		vfiox_reset_plan_free(plan);
		return vfiox__err(d->ctx, -EPERM, "%s%s", msg, hint);
	}
	ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, &req);
	ret = ret < 0 ? hot_reset_error(d, plan, ret) : 0;
	vfiox_reset_plan_free(plan);
	return ret;
}

VFIOX_EXPORT int vfiox_device_hot_reset(struct vfiox_device *d, struct vfiox_vgroup *const *groups,
					size_t n)
{
	struct vfio_pci_hot_reset *req = NULL;
	struct vfiox_reset_plan *plan = NULL;
	struct vfiox_pci_addr self;
	bool *missing = NULL;
	size_t g, i, size;
	int ret;
	bool any = false;

	for (i = 0; i < n; i++)
		if (!groups[i])
			return vfiox__err(d->ctx, -EINVAL, "hot reset of %s: group %zu of %zu "
					  "passed is NULL", d->name, i, n);
	if (d->devid)
		return hot_reset_cdev(d);
	ret = vfiox_device_hot_reset_plan(d, &plan);
	if (ret)
		return ret;
	missing = calloc(plan->num_groups, sizeof(*missing));
	size = sizeof(*req) + plan->num_groups * sizeof(req->group_fds[0]);
	req = calloc(1, size);
	if (!missing || !req) {
		ret = vfiox__err(d->ctx, -ENOMEM, "out of memory");
		goto out_free;
	}
	*req = (struct vfio_pci_hot_reset){ .argsz = (uint32_t)size, .flags = 0,
					    .count = (uint32_t)plan->num_groups };
	for (g = 0; g < plan->num_groups; g++) {
		struct vfiox_vgroup *vg = find_group(groups, n, plan->groups[g]);

		if (vg)
			req->group_fds[g] = vg->fd;
		missing[g] = !vg;
		any |= !vg;
	}
	if (any) {
		ret = refuse_missing(d, plan, missing,
				     vfiox_pci_addr_parse(d->name, &self) ? NULL : &self);
		goto out_free;
	}
	ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, req);
	ret = ret < 0 ? hot_reset_error(d, plan, ret) : 0;
out_free:
	free(req);
	free(missing);
	vfiox_reset_plan_free(plan);
	return ret;
}
