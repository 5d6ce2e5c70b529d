// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Binding devices to vfio-pci and putting them back: driver_override, unbind,
 * drivers_probe, each device journaled before its first write (journal.c), rollback of
 * a plan that fails halfway, restore from the journal, persistent udev rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <time.h>

#include <vfiox/bind.h>
#include <vfiox/inuse.h>

#include "host-private.h"
#include "journal.h"

#define DEFAULT_TIMEOUT_MS 5000

enum step_kind { STEP_OVERRIDE, STEP_UNBIND, STEP_PROBE };

struct bind_item {
	struct vfiox_pci_dev *dev;
	char name[VFIOX_PCI_ADDR_STRLEN];
	char driver[VFIOX_JOURNAL_DRIVER_LEN];	 /* at plan time, "" none */
	char override[VFIOX_JOURNAL_DRIVER_LEN]; /* at plan time, "" none */
	int group;
	const char *note; /* static text when nothing is to be done */
	char note_buf[96];
};

struct bind_step {
	enum step_kind kind;
	size_t item;
	char *text;
};

struct vfiox_bind_plan {
	struct vfiox_scan *scan;
	struct vfiox_ctx *ctx;
	char driver[VFIOX_JOURNAL_DRIVER_LEN];
	struct bind_item *items;
	size_t num_items, cap_items;
	struct bind_step *steps;
	size_t num_steps, cap_steps;
	vfiox_bind_step_fn step_fn;
	void *step_data;
};

/* ------------------------------------------------------------------ sysfs access */

static int dev_path(struct vfiox_ctx *ctx, const char *dev, const char *attr, char *buf,
		    size_t len)
{
	int n = snprintf(buf, len, "%s/bus/pci/devices/%s%s%s", ctx->sysfs_root, dev,
			 attr ? "/" : "", attr ? attr : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Writes @text to the sysfs file @path in one write, as the kernel wants it. */
static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = vfiox_sys_openat(AT_FDCWD, path, O_WRONLY, 0);
	if (fd < 0)
		return fd;
	n = vfiox_sys_write(fd, text, len);
	vfiox_sys_close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/* The driver bound now, "" when none; 0, -ENODEV when the device is gone. */
static int current_driver(struct vfiox_ctx *ctx, const char *dev, char *buf, size_t len)
{
	char path[4096];
	int fd, ret;

	ret = dev_path(ctx, dev, NULL, path, sizeof(path));
	if (ret)
		return ret;
	fd = vfiox_sys_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd == -ENOENT ? -ENODEV : fd;
	ret = vfiox__read_link_name(fd, "driver", buf, len);
	vfiox_sys_close(fd);
	if (ret == -ENOENT) {
		buf[0] = '\0';
		ret = 0;
	}
	return ret;
}

static int current_override(struct vfiox_ctx *ctx, const char *dev, char *buf, size_t len)
{
	char path[4096];
	ssize_t n;

	dev_path(ctx, dev, "driver_override", path, sizeof(path));
	n = vfiox__read_attr(AT_FDCWD, path, buf, len);
	if (n < 0)
		return (int)n;
	if (!strcmp(buf, "(null)"))
		buf[0] = '\0';
	return 0;
}

static int step_write(struct vfiox_ctx *ctx, enum step_kind kind, const char *dev,
		      const char *driver, char *path, size_t len)
{
	int ret = -EINVAL;

	switch (kind) {
	case STEP_OVERRIDE:
		ret = dev_path(ctx, dev, "driver_override", path, len);
		/* An empty override clears it; the kernel takes "\n" for that. */
		return ret ? ret : write_file(path, driver[0] ? driver : "\n");
	case STEP_UNBIND:
		ret = dev_path(ctx, dev, "driver/unbind", path, len);
		return ret ? ret : write_file(path, dev);
	case STEP_PROBE:
		ret = snprintf(path, len, "%s/bus/pci/drivers_probe", ctx->sysfs_root);
		return (size_t)ret >= len ? -ENAMETOOLONG : write_file(path, dev);
	}
	return ret;
}

/* ------------------------------------------------------------------ the plan */

VFIOX_EXPORT int vfiox_bind_plan_new(struct vfiox_scan *scan, const char *driver,
				     struct vfiox_bind_plan **planp)
{
	struct vfiox_bind_plan *plan;

	if (!driver)
		driver = "vfio-pci";
	if (!*driver || strlen(driver) >= VFIOX_JOURNAL_DRIVER_LEN || strchr(driver, '/') ||
	    strchr(driver, '\n'))
		return vfiox__err(scan->ctx, -EINVAL, "\"%s\" is not a driver name", driver);
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return vfiox__err(scan->ctx, -ENOMEM, "out of memory");
	plan->scan = scan;
	plan->ctx = scan->ctx;
	snprintf(plan->driver, sizeof(plan->driver), "%s", driver);
	*planp = plan;
	return 0;
}

VFIOX_EXPORT void vfiox_bind_plan_free(struct vfiox_bind_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->num_steps; i++)
		free(plan->steps[i].text);
	free(plan->steps);
	free(plan->items);
	free(plan);
}

static int add_step(struct vfiox_bind_plan *plan, enum step_kind kind, size_t item)
{
	const struct bind_item *it = &plan->items[item];
	const char *root = plan->ctx->sysfs_root;
	struct bind_step *s;
	int n = -1;

	if (plan->num_steps == plan->cap_steps) {
		size_t cap = plan->cap_steps ? plan->cap_steps * 2 : 8;

		s = realloc(plan->steps, cap * sizeof(*s));
		if (!s)
			return vfiox__err(plan->ctx, -ENOMEM, "out of memory");
		plan->steps = s;
		plan->cap_steps = cap;
	}
	s = &plan->steps[plan->num_steps];
	s->kind = kind;
	s->item = item;
	switch (kind) {
	case STEP_OVERRIDE:
		n = asprintf(&s->text, "write \"%s\" to %s/bus/pci/devices/%s/driver_override",
			     plan->driver, root, it->name);
		break;
	case STEP_UNBIND:
		n = asprintf(&s->text, "write \"%s\" to %s/bus/pci/devices/%s/driver/unbind "
			     "(unbind from %s)", it->name, root, it->name, it->driver);
		break;
	case STEP_PROBE:
		n = asprintf(&s->text, "write \"%s\" to %s/bus/pci/drivers_probe (%s binds it)",
			     it->name, root, plan->driver);
		break;
	}
	if (n < 0)
		return vfiox__err(plan->ctx, -ENOMEM, "out of memory");
	plan->num_steps++;
	return 0;
}

/* Drops the devices and steps added after the first @items and @steps: a failed add. */
static void plan_truncate(struct vfiox_bind_plan *plan, size_t items, size_t steps)
{
	while (plan->num_steps > steps)
		free(plan->steps[--plan->num_steps].text);
	plan->num_items = items;
}

VFIOX_EXPORT int vfiox_bind_plan_add_dev(struct vfiox_bind_plan *plan, struct vfiox_pci_dev *dev)
{
	const char *drv = vfiox_pci_dev_driver(dev);
	const char *ovr = vfiox_pci_dev_driver_override(dev);
	size_t i, idx, steps = plan->num_steps;
	struct bind_item *it;
	int ret;

	if (vfiox_pci_dev_is_bridge(dev))
		return vfiox__err(plan->ctx, -EINVAL, "%s is a PCI bridge (driver %s): bridges "
				  "are never bound to %s; bind the devices behind it, or the "
				  "whole group with --group %d", dev->name, drv ? drv : "none",
				  plan->driver, dev->group_id);
	if (dev->group_id < 0)
		return vfiox__err(plan->ctx, -ENODEV, "%s is in no IOMMU group: the IOMMU is off "
				  "or does not cover it; boot with intel_iommu=on (or amd_iommu=on)"
				  " and check 'vfioctl check'", dev->name);
	for (i = 0; i < plan->num_items; i++)
		if (plan->items[i].dev == dev)
			return 0;
	if ((drv && strlen(drv) >= VFIOX_JOURNAL_DRIVER_LEN) ||
	    (ovr && strlen(ovr) >= VFIOX_JOURNAL_DRIVER_LEN))
		return vfiox__err(plan->ctx, -ENAMETOOLONG, "%s: driver name too long", dev->name);
	if (plan->num_items == plan->cap_items) {
		size_t cap = plan->cap_items ? plan->cap_items * 2 : 4;

		it = realloc(plan->items, cap * sizeof(*it));
		if (!it)
			return vfiox__err(plan->ctx, -ENOMEM, "out of memory");
		plan->items = it;
		plan->cap_items = cap;
	}
	idx = plan->num_items++;
	it = &plan->items[idx];
	memset(it, 0, sizeof(*it));
	it->dev = dev;
	snprintf(it->name, sizeof(it->name), "%s", dev->name);
	snprintf(it->driver, sizeof(it->driver), "%s", drv ? drv : "");
	snprintf(it->override, sizeof(it->override), "%s", ovr ? ovr : "");
	it->group = dev->group_id;
	if (drv && !strcmp(drv, plan->driver)) {
		snprintf(it->note_buf, sizeof(it->note_buf), "already bound to %s", plan->driver);
		it->note = it->note_buf;
		return 0;
	}
	ret = add_step(plan, STEP_OVERRIDE, idx);
	if (!ret && drv)
		ret = add_step(plan, STEP_UNBIND, idx);
	if (!ret)
		ret = add_step(plan, STEP_PROBE, idx);
	if (ret)
		plan_truncate(plan, idx, steps);
	return ret;
}

VFIOX_EXPORT int vfiox_bind_plan_add_group(struct vfiox_bind_plan *plan, struct vfiox_group *group)
{
	size_t i, endpoints = 0, items = plan->num_items, steps = plan->num_steps;
	int ret;

	for (i = 0; i < group->num_devs; i++) {
		if (vfiox_pci_dev_is_bridge(group->devs[i]))
			continue;
		ret = vfiox_bind_plan_add_dev(plan, group->devs[i]);
		if (ret) {
			plan_truncate(plan, items, steps);
			return ret;
		}
		endpoints++;
	}
	if (!endpoints)
		return vfiox__err(plan->ctx, -ENOENT, "IOMMU group %d has no device to bind "
				  "(%zu bridge%s only): nothing to do", group->id, group->num_devs,
				  group->num_devs == 1 ? "" : "s");
	return 0;
}

VFIOX_EXPORT size_t vfiox_bind_plan_num_devs(const struct vfiox_bind_plan *plan)
{
	return plan->num_items;
}

VFIOX_EXPORT struct vfiox_pci_dev *vfiox_bind_plan_dev(const struct vfiox_bind_plan *plan,
						       size_t idx)
{
	return idx < plan->num_items ? plan->items[idx].dev : NULL;
}

VFIOX_EXPORT const char *vfiox_bind_plan_dev_note(const struct vfiox_bind_plan *plan, size_t idx)
{
	return idx < plan->num_items ? plan->items[idx].note : NULL;
}

VFIOX_EXPORT size_t vfiox_bind_plan_num_steps(const struct vfiox_bind_plan *plan)
{
	return plan->num_steps;
}

VFIOX_EXPORT const char *vfiox_bind_plan_step(const struct vfiox_bind_plan *plan, size_t idx)
{
	return idx < plan->num_steps ? plan->steps[idx].text : NULL;
}

VFIOX_EXPORT void vfiox_bind_plan_set_step_cb(struct vfiox_bind_plan *plan,
					      vfiox_bind_step_fn fn, void *userdata)
{
	plan->step_fn = fn;
	plan->step_data = userdata;
}

/* ------------------------------------------------------------------ checks before writing */

static bool in_plan(const struct vfiox_bind_plan *plan, const struct vfiox_pci_dev *dev)
{
	size_t i;

	for (i = 0; i < plan->num_items; i++)
		if (plan->items[i].dev == dev)
			return true;
	return false;
}

/*
 * A group is usable only when all of it is: binding part of a group whose other members
 * stay on host drivers gives nothing VFIO can open, so it is refused unless forced.
 */
static int check_groups(struct vfiox_bind_plan *plan, unsigned int flags)
{
	size_t i, j;

	for (i = 0; i < plan->num_items; i++) {
		struct vfiox_group *g;

		if (plan->items[i].note ||
		    vfiox_scan_find_group(plan->scan, plan->items[i].group, &g))
			continue;
		for (j = 0; j < g->num_devs; j++) {
			struct vfiox_pci_dev *m = g->devs[j];

			if (in_plan(plan, m) || vfiox_driver_keeps_group_viable(m->driver))
				continue;
			if (flags & VFIOX_BIND_FORCE) {
				vfiox__warn(plan->ctx, "%s: IOMMU group %d stays unusable for VFIO "
					    "while %s is on %s", plan->items[i].name, g->id,
					    m->name, m->driver);
				continue;
			}
			return vfiox__err(plan->ctx, -EBUSY, "refusing to bind %s: its IOMMU "
					  "group %d also holds %s, bound to %s, so VFIO could not "
					  "use the group anyway; bind the whole group "
					  "(--group %d) if %s can be spared, or --force",
					  plan->items[i].name, g->id, m->name, m->driver, g->id,
					  m->name);
		}
	}
	return 0;
}

static int check_uses(struct vfiox_bind_plan *plan, unsigned int flags)
{
	struct vfiox_pci_dev **devs;
	struct vfiox_uses *u = NULL;
	size_t i, n = 0;
	int ret;

	devs = calloc(plan->num_items ? plan->num_items : 1, sizeof(*devs));
	if (!devs)
		return vfiox__err(plan->ctx, -ENOMEM, "out of memory");
	for (i = 0; i < plan->num_items; i++)
		if (!plan->items[i].note)
			devs[n++] = plan->items[i].dev;
	/* One pass over the class directories, mounts, swaps and netlink for all of them. */
	ret = vfiox__devs_uses(devs, n, &u);
	free(devs);
	if (ret)
		return ret;
	for (i = 0; i < vfiox_uses_count(u); i++) {
		if (flags & VFIOX_BIND_FORCE) {
			vfiox__warn(plan->ctx, "--force: %s is in use and will break: %s",
				    vfiox_uses_dev(u, i), vfiox_uses_reason(u, i));
			continue;
		}
		ret = vfiox__err(plan->ctx, -EBUSY, "refusing to bind %s: %s; first: %s (or --force)",
				 vfiox_uses_dev(u, i), vfiox_uses_reason(u, i), vfiox_uses_fix(u, i));
		break;
	}
	vfiox_uses_free(u);
	return ret;
}

/* ------------------------------------------------------------------ restore */

/*
 * Puts back the driver and driver_override @e recorded. @report: each write is a step of
 * the call (vfiox__step()); a rollback of a bind is not.
 */
static int restore_driver(struct vfiox_ctx *ctx, const struct vfiox__jentry *e, bool report)
{
	char cur[VFIOX_JOURNAL_DRIVER_LEN], path[4096];
	int ret;

	if (e->has_override) {
		ret = current_override(ctx, e->dev, cur, sizeof(cur));
		if (ret || strcmp(cur, e->override)) {
			if (report && (ret = vfiox__step(ctx, "restore %s: write \"%s\" to its "
							 "driver_override", e->dev,
							 e->override[0] ? e->override : "\\n")))
				return ret;
			ret = step_write(ctx, STEP_OVERRIDE, e->dev, e->override, path,
					 sizeof(path));
			if (ret)
				return vfiox__err(ctx, ret, "cannot restore %s: writing %s: %s",
						  e->dev, path, strerror(-ret));
		}
	}
	if (!e->has_driver)
		return 0;
	ret = current_driver(ctx, e->dev, cur, sizeof(cur));
	if (ret)
		return vfiox__err(ctx, ret, "cannot restore %s: %s", e->dev,
				  ret == -ENODEV ? "the device is gone" : strerror(-ret));
	if (!strcmp(cur, e->driver))
		return 0;
	if (cur[0]) {
		if (report && (ret = vfiox__step(ctx, "restore %s: unbind it from %s", e->dev, cur)))
			return ret;
		ret = step_write(ctx, STEP_UNBIND, e->dev, NULL, path, sizeof(path));
		if (ret)
			return vfiox__err(ctx, ret, "cannot restore %s: unbinding it from %s "
					  "(%s): %s", e->dev, cur, path, strerror(-ret));
	}
	if (!e->driver[0])
		return 0;
	if (report && (ret = vfiox__step(ctx, "restore %s: write it to drivers_probe (%s takes "
					 "it)", e->dev, e->driver)))
		return ret;
	ret = step_write(ctx, STEP_PROBE, e->dev, NULL, path, sizeof(path));
	if (ret)
		return vfiox__err(ctx, ret, "cannot restore %s: %s: %s", e->dev, path,
				  strerror(-ret));
	ret = current_driver(ctx, e->dev, cur, sizeof(cur));
	if (!ret && strcmp(cur, e->driver)) {
		/* Probing chose another driver (or none): ask the recorded one directly. */
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", ctx->sysfs_root,
			 e->driver);
		if (!cur[0] && report &&
		    (ret = vfiox__step(ctx, "restore %s: write it to %s", e->dev, path)))
			return ret;
		if (!cur[0] && !write_file(path, e->dev))
			ret = current_driver(ctx, e->dev, cur, sizeof(cur));
	}
	if (ret)
		return vfiox__err(ctx, ret, "cannot restore %s: %s", e->dev, strerror(-ret));
	if (strcmp(cur, e->driver))
		return vfiox__err(ctx, -EIO, "restored %s, but it is on %s, not on %s as before "
				  "(is the %s module loaded? modprobe %s)", e->dev,
				  cur[0] ? cur : "no driver", e->driver, e->driver, e->driver);
	return 0;
}

static int write_int_attr(struct vfiox_ctx *ctx, const char *dev, const char *attr, int val)
{
	char path[4096], text[16];
	int ret = dev_path(ctx, dev, attr, path, sizeof(path));

	snprintf(text, sizeof(text), "%d", val);
	return ret ? ret : write_file(path, text);
}

static int restore_sriov(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	char path[4096];
	long cur = -1, ap = -1;
	int ret = 0;

	if (e->sriov_numvfs < 0 && e->sriov_autoprobe < 0)
		return 0;
	dev_path(ctx, e->dev, "sriov_numvfs", path, sizeof(path));
	vfiox__read_attr_long(AT_FDCWD, path, 10, &cur);
	dev_path(ctx, e->dev, "sriov_drivers_autoprobe", path, sizeof(path));
	vfiox__read_attr_long(AT_FDCWD, path, 10, &ap);
	if (e->sriov_numvfs >= 0 && cur != e->sriov_numvfs && cur > 0) {
		ret = vfiox__step(ctx, "restore %s: write 0 to its sriov_numvfs", e->dev);
		if (ret)
			return ret;
		ret = write_int_attr(ctx, e->dev, "sriov_numvfs", 0);
	}
	if (!ret && e->sriov_autoprobe >= 0 && ap != e->sriov_autoprobe) {
		ret = vfiox__step(ctx, "restore %s: write %d to its sriov_drivers_autoprobe",
				  e->dev, e->sriov_autoprobe);
		if (ret)
			return ret;
		ret = write_int_attr(ctx, e->dev, "sriov_drivers_autoprobe", e->sriov_autoprobe);
	}
	if (!ret && e->sriov_numvfs > 0 && cur != e->sriov_numvfs) {
		ret = vfiox__step(ctx, "restore %s: write %d to its sriov_numvfs", e->dev,
				  e->sriov_numvfs);
		if (ret)
			return ret;
		ret = write_int_attr(ctx, e->dev, "sriov_numvfs", e->sriov_numvfs);
	}
	if (ret)
		return vfiox__err(ctx, ret, "cannot restore the SR-IOV state of %s (sriov_numvfs "
				  "%d, sriov_drivers_autoprobe %d): %s", e->dev, e->sriov_numvfs,
				  e->sriov_autoprobe, strerror(-ret));
	return 0;
}

/* Puts back everything @e recorded, then drops the entry. */
static int restore_entry(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	int ret;

	ret = vfiox__jentry_unlink_persist(ctx, e);
	if (!ret)
		ret = restore_driver(ctx, e, true);
	if (!ret)
		ret = restore_sriov(ctx, e);
	if (!ret)
		ret = vfiox__step(ctx, "restore %s: remove its journal entry", e->dev);
	if (ret)
		return ret;
	ret = vfiox__journal_remove(ctx, e->dev);
	return ret == -ENOENT ? 0 : ret;
}

static int restore_one(struct vfiox_ctx *ctx, const char *dev)
{
	struct vfiox__jentry e;
	int ret;

	ret = vfiox__journal_read(ctx, dev, &e);
	if (ret == -ENOENT)
		return vfiox__err(ctx, ret, "%s was not changed by vfioctl (no journal entry in "
				  "%s/devices): nothing to restore", dev, ctx->state_dir);
	if (ret)
		return ret;
	return restore_entry(ctx, &e);
}

VFIOX_EXPORT int vfiox_bind_restore(struct vfiox_ctx *ctx, const char *dev)
{
	int lock, ret = vfiox__journal_lock(ctx, &lock);

	if (ret)
		return ret;
	vfiox__steps_begin(ctx);
	ret = restore_one(ctx, dev);
	vfiox__journal_unlock(lock);
	return ret;
}

VFIOX_EXPORT int vfiox_bind_journaled(struct vfiox_ctx *ctx, const char *dev)
{
	struct vfiox__jentry e;
	int ret = vfiox__journal_read(ctx, dev, &e);

	return ret == -ENOENT ? 0 : ret ? ret : 1;
}

static bool is_vf(struct vfiox_ctx *ctx, const char *dev)
{
	char path[4096], buf[64];

	dev_path(ctx, dev, "physfn", path, sizeof(path));
	return vfiox__read_link_name(AT_FDCWD, path, buf, sizeof(buf)) == 0;
}

/*
 * Every entry, each on its own: one that cannot be restored (a damaged entry, a device that
 * will not move) does not stop the others. The first failure is kept for the last error;
 * from the second on, each is logged as a warning as well, and the last error counts them.
 */
static int restore_all(struct vfiox_ctx *ctx, size_t *restored)
{
	char **names, first_msg[sizeof(ctx->last_error)] = "", failed[256] = "";
	size_t n, i, done = 0, nfailed = 0;
	int pass, ret, first = 0;

	ret = vfiox__journal_list(ctx, &names, &n);
	if (ret)
		return ret;
	/* VFs first: restoring a PF's sriov_numvfs removes them. What is left is no VF. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			struct vfiox__jentry e;
			char drv[VFIOX_JOURNAL_DRIVER_LEN];

			if (!names[i] || (pass == 0 && !is_vf(ctx, names[i])))
				continue;
			ret = vfiox__journal_read(ctx, names[i], &e);
			if (!ret && current_driver(ctx, e.dev, drv, sizeof(drv)) == -ENODEV) {
				vfiox__warn(ctx, "%s is gone (a VF removed since?): its journal "
					    "entry is dropped", e.dev);
				ret = vfiox__jentry_unlink_persist(ctx, &e);
				if (!ret)
					ret = vfiox__journal_remove(ctx, e.dev);
			} else if (!ret) {
				ret = restore_entry(ctx, &e);
				if (!ret)
					done++;
			}
			if (ret && ctx->stopped) {
				/* the step callback stopped us: no further change */
				vfiox__journal_list_free(names, n);
				if (restored)
					*restored = done;
				return ret;
			}
			if (ret) {
				if (!nfailed) {
					first = ret;
					snprintf(first_msg, sizeof(first_msg), "%s", ctx->last_error);
				} else {
					if (nfailed == 1)
						vfiox__warn(ctx, "%s", first_msg);
					vfiox__warn(ctx, "%s", ctx->last_error);
				}
				snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
					 "%s%s", nfailed ? ", " : "", names[i]);
				nfailed++;
			}
			free(names[i]);
			names[i] = NULL;
		}
	}
	vfiox__journal_list_free(names, n);
	if (restored)
		*restored = done;
	if (nfailed == 1)
		snprintf(ctx->last_error, sizeof(ctx->last_error), "%.380s (%zu other device%s "
			 "restored)", first_msg, done, done == 1 ? "" : "s");
	else if (nfailed)
		snprintf(ctx->last_error, sizeof(ctx->last_error), "%zu journal entries could not "
			 "be restored: %.120s (each said why above; first: %.200s); %zu other "
			 "device%s restored", nfailed, failed, first_msg, done, done == 1 ? "" : "s");
	return first;
}

VFIOX_EXPORT int vfiox_bind_restore_all(struct vfiox_ctx *ctx, size_t *restored)
{
	char **names;
	int lock, ret;
	size_t n;

	if (restored)
		*restored = 0;
	/* Nothing journaled, nothing to lock: restore --all stays read-only then. */
	ret = vfiox__journal_list(ctx, &names, &n);
	if (ret)
		return ret;
	vfiox__journal_list_free(names, n);
	if (!n)
		return 0;
	ret = vfiox__journal_lock(ctx, &lock);
	if (ret)
		return ret;
	vfiox__steps_begin(ctx);
	ret = restore_all(ctx, restored);
	vfiox__journal_unlock(lock);
	return ret;
}

/* ------------------------------------------------------------------ waiting for /dev/vfio/N */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool node_exists(const char *path)
{
	int fd = vfiox_sys_openat(AT_FDCWD, path, O_PATH, 0);

	if (fd < 0)
		return false;
	vfiox_sys_close(fd);
	return true;
}

/*
 * inotify on <dev>/vfio (or on <dev> until vfio/ exists), then look: a node created
 * after the watch is an event, one created before is seen by the look.
 */
static int wait_node_created(struct vfiox_ctx *ctx, int group, int timeout_ms)
{
	char dir[4096], node[4200], evbuf[4096];
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct epoll_event ev = { .events = EPOLLIN };
	int ifd, epfd, ret;

	snprintf(dir, sizeof(dir), "%s/vfio", ctx->dev_root);
	snprintf(node, sizeof(node), "%s/%d", dir, group);
	if (node_exists(node))
		return 0;
	ifd = vfiox_sys_inotify_init();
	if (ifd < 0)
		return vfiox__err(ctx, ifd, "cannot watch %s: inotify: %s", dir, strerror(-ifd));
	epfd = vfiox_sys_epoll_create();
	if (epfd < 0) {
		ret = vfiox__err(ctx, epfd, "epoll: %s", strerror(-epfd));
		goto out_close_ifd;
	}
	ev.data.fd = ifd;
	ret = vfiox_sys_epoll_ctl(epfd, EPOLL_CTL_ADD, ifd, &ev);
	if (ret) {
		vfiox__err(ctx, ret, "epoll: %s", strerror(-ret));
		goto out_close_epfd;
	}
	for (;;) {
		long long left;

		ret = vfiox_sys_inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
		if (ret == -ENOENT)
			ret = vfiox_sys_inotify_add_watch(ifd, ctx->dev_root, IN_CREATE |
							  IN_MOVED_TO);
		if (ret < 0) {
			vfiox__err(ctx, ret, "cannot watch %s for %s: %s", dir, node,
				   strerror(-ret));
			goto out_close_epfd;
		}
		if (node_exists(node)) {
			ret = 0;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			ret = vfiox__err(ctx, -ETIMEDOUT, "%s did not appear within %d ms: is "
					 "devtmpfs mounted on %s (or udevd running)?", node,
					 timeout_ms, ctx->dev_root);
			break;
		}
		ret = vfiox_sys_epoll_wait(epfd, &ev, 1, (int)left);
		if (ret < 0 && ret != -EINTR) {
			vfiox__err(ctx, ret, "epoll_wait: %s", strerror(-ret));
			break;
		}
		/* Drain; what happened is re-checked by looking at the node. */
		while (vfiox_sys_read(ifd, evbuf, sizeof(evbuf)) > 0)
			;
	}
out_close_epfd:
	vfiox_sys_close(epfd);
out_close_ifd:
	vfiox_sys_close(ifd);
	return ret;
}

/* Created, then (where udevd runs) as udevd's rules leave it, within one timeout. */
VFIOX_EXPORT int vfiox_wait_group_node(struct vfiox_ctx *ctx, int group, int timeout_ms)
{
	long long start = now_ms();
	char node[4200];
	int ret;

	ret = wait_node_created(ctx, group, timeout_ms);
	if (ret)
		return ret;
	snprintf(node, sizeof(node), "%s/vfio/%d", ctx->dev_root, group);
	return vfiox__wait_udev_node(ctx, node, timeout_ms - (int)(now_ms() - start));
}

/* ------------------------------------------------------------------ persist */

/*
 * A udev rule per device: on "add" it sets driver_override before any module load the
 * add event triggers, loads the VFIO driver and, in case a driver that was already loaded
 * took the device during the add, unbinds it and reprobes.
 */
static int write_rule(struct vfiox_bind_plan *plan, const struct bind_item *it,
		      const char *path)
{
	char text[2048], dir[4096];
	int n;

	vfiox_sys_mkdirat(AT_FDCWD, plan->ctx->etc_root, 0755);
	snprintf(dir, sizeof(dir), "%s/udev", plan->ctx->etc_root);
	vfiox_sys_mkdirat(AT_FDCWD, dir, 0755);
	snprintf(dir, sizeof(dir), "%s/udev/rules.d", plan->ctx->etc_root);
	vfiox_sys_mkdirat(AT_FDCWD, dir, 0755);
	n = snprintf(text, sizeof(text),
		     "# Written by 'vfioctl bind --persist %s'; 'vfioctl restore %s' removes it.\n"
		     "# Hands %s to %s at boot (it was on %s).\n"
		     "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
		     "ATTR{driver_override}=\"%s\", RUN{builtin}+=\"kmod load %s\", "
		     "RUN+=\"/bin/sh -c 'd=/sys/bus/pci/devices/%%k; "
		     "case $$(readlink $$d/driver) in */%s) exit 0;; esac; "
		     "[ -e $$d/driver ] && echo %%k > $$d/driver/unbind; "
		     "echo %%k > /sys/bus/pci/drivers_probe'\"\n",
		     it->name, it->name, it->name, plan->driver,
		     it->driver[0] ? it->driver : "no driver", it->name, plan->driver,
		     plan->driver, plan->driver);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -ENOSPC;
	return vfiox__write_atomic(path, text, (size_t)n, 0644);
}

/* What a run did to one device of the plan, so that a failure undoes exactly that. */
struct run_item {
	bool had_entry; /* the journal held an entry for it before this run: @old */
	bool recorded;	/* this run merged something into its entry */
	bool touched;	/* this run made (or tried) a sysfs write to it */
	bool rule_new;	/* this run wrote its udev rule, which the old entry did not list */
	struct vfiox__jentry old;
};

static int rule_path(struct vfiox_bind_plan *plan, const struct bind_item *it, char *buf,
		     size_t len)
{
	int n = snprintf(buf, len, "%s/udev/rules.d/61-vfioctl-%s.rules", plan->ctx->etc_root,
			 it->name);

	if (n < 0 || (size_t)n >= len)
		return vfiox__err(plan->ctx, -ENAMETOOLONG, "%s: the path of its udev rule under "
				  "%s is longer than %zu bytes: set a shorter VFIOX_ETC_ROOT",
				  it->name, plan->ctx->etc_root, len - 1);
	return 0;
}

static bool lists_persist(const struct vfiox__jentry *e, const char *path)
{
	size_t i;

	for (i = 0; i < e->num_persist; i++)
		if (!strcmp(e->persist[i], path))
			return true;
	return false;
}

/* Before any sysfs write: a rule that cannot be written (a read-only /etc) changes nothing. */
static int persist(struct vfiox_bind_plan *plan, struct run_item *ri)
{
	size_t i;
	int ret;

	for (i = 0; i < plan->num_items; i++) {
		const struct bind_item *it = &plan->items[i];
		struct vfiox__jentry e;

		vfiox__jentry_init(&e, it->name);
		ret = rule_path(plan, it, e.persist[0], sizeof(e.persist[0]));
		if (ret)
			return ret;
		e.num_persist = 1;
		/* A device that was bound already gets an entry too: restore removes its rule. */
		ret = vfiox__journal_record(plan->ctx, &e);
		if (ret)
			return ret;
		ri[i].recorded = true;
		ret = write_rule(plan, it, e.persist[0]);
		if (ret)
			return vfiox__err(plan->ctx, ret, "cannot write %s (persistent binding of "
					  "%s): %s", e.persist[0], it->name, strerror(-ret));
		/* A failed write_rule() left the path as it was; this one is ours to undo. */
		ri[i].rule_new = !ri[i].had_entry || !lists_persist(&ri[i].old, e.persist[0]);
	}
	return 0;
}

/* ------------------------------------------------------------------ run */

/*
 * Puts one device back as the plan found it: driver and driver_override as at plan time
 * (not the older original a previous bind journaled), no new rule, its journal entry as
 * before this run.
 */
static int undo_item(struct vfiox_bind_plan *plan, const struct bind_item *it,
		     const struct run_item *r)
{
	char path[256];
	int ret = 0;

	if (r->touched) {
		struct vfiox__jentry was;

		vfiox__jentry_init(&was, it->name);
		was.has_driver = was.has_override = true;
		memcpy(was.driver, it->driver, sizeof(was.driver));
		memcpy(was.override, it->override, sizeof(was.override));
		ret = restore_driver(plan->ctx, &was, false);
	}
	if (!ret && r->rule_new && !rule_path(plan, it, path, sizeof(path))) {
		ret = vfiox_sys_unlinkat(AT_FDCWD, path, 0);
		if (ret == -ENOENT)
			ret = 0;
		else if (ret)
			vfiox__err(plan->ctx, ret, "cannot remove %s: %s", path, strerror(-ret));
	}
	if (ret)
		return ret; /* the entry stays, for 'vfioctl restore' */
	if (r->had_entry)
		return vfiox__journal_replace(plan->ctx, &r->old);
	ret = vfiox__journal_remove(plan->ctx, it->name);
	return ret == -ENOENT ? 0 : ret;
}

static int rollback(struct vfiox_bind_plan *plan, const struct run_item *ri)
{
	char saved[sizeof(plan->ctx->last_error)];
	size_t i;
	int ret, first = 0;

	snprintf(saved, sizeof(saved), "%s", plan->ctx->last_error);
	for (i = plan->num_items; i-- > 0;) {
		if (!ri[i].recorded)
			continue;
		ret = undo_item(plan, &plan->items[i], &ri[i]);
		if (ret && !first)
			first = ret;
		if (ret)
			vfiox__warn(plan->ctx, "rollback: %s", plan->ctx->last_error);
		else
			vfiox__log(plan->ctx, VFIOX_LOG_INFO, "rollback: %s restored",
				   plan->items[i].name);
	}
	if (first)
		snprintf(plan->ctx->last_error, sizeof(plan->ctx->last_error),
			 "%.300s; rolling back failed too, run 'vfioctl restore --all'", saved);
	else
		snprintf(plan->ctx->last_error, sizeof(plan->ctx->last_error),
			 "%.400s; the devices already moved were put back", saved);
	return first;
}

static int check_landed(struct vfiox_bind_plan *plan, const struct bind_item *it)
{
	char cur[VFIOX_JOURNAL_DRIVER_LEN];
	int ret = current_driver(plan->ctx, it->name, cur, sizeof(cur));

	if (ret)
		return vfiox__err(plan->ctx, ret, "%s: cannot read its driver after probing: %s",
				  it->name, strerror(-ret));
	if (strcmp(cur, plan->driver))
		return vfiox__err(plan->ctx, -ENXIO, "%s did not bind to %s (it is on %s): is "
				  "the %s module loaded? modprobe %s", it->name, plan->driver,
				  cur[0] ? cur : "no driver", plan->driver, plan->driver);
	return 0;
}

/* The steps again, from each device's driver as it is now (check_unchanged()). */
static int replan(struct vfiox_bind_plan *plan)
{
	size_t i;
	int ret = 0;

	while (plan->num_steps)
		free(plan->steps[--plan->num_steps].text);
	for (i = 0; i < plan->num_items && !ret; i++) {
		struct bind_item *it = &plan->items[i];

		it->note = NULL;
		if (!strcmp(it->driver, plan->driver)) {
			snprintf(it->note_buf, sizeof(it->note_buf), "already bound to %s",
				 plan->driver);
			it->note = it->note_buf;
			continue;
		}
		ret = add_step(plan, STEP_OVERRIDE, i);
		if (!ret && it->driver[0])
			ret = add_step(plan, STEP_UNBIND, i);
		if (!ret)
			ret = add_step(plan, STEP_PROBE, i);
	}
	return ret;
}

/*
 * Under the lock: where are the devices now? The journal must record the state this run
 * changes, and another process (a vfioctl we waited for, another tool) may have moved a
 * device between the scan and now: the plan is then made again from what sysfs says
 * under the lock, and checked again (a device freshly given back to its host driver may
 * be in use). A device that went away fails the run. The driver_override recorded is the
 * one read now.
 */
static int check_unchanged(struct vfiox_bind_plan *plan, unsigned int flags)
{
	char drv[VFIOX_JOURNAL_DRIVER_LEN], ovr[VFIOX_JOURNAL_DRIVER_LEN];
	bool moved = false;
	size_t i;
	int ret;

	for (i = 0; i < plan->num_items; i++) {
		struct bind_item *it = &plan->items[i];

		ret = current_driver(plan->ctx, it->name, drv, sizeof(drv));
		if (ret)
			return vfiox__err(plan->ctx, ret, "cannot read the driver of %s: %s%s",
					  it->name, strerror(-ret), ret == -ENODEV ?
					  " (it went away while the bind was prepared)" : "");
		if (strcmp(drv, it->driver)) {
			vfiox__log(plan->ctx, VFIOX_LOG_INFO, "%s moved from %s to %s while the "
				   "bind was prepared (another vfioctl?): planned again from there",
				   it->name, *it->driver ? it->driver : "no driver",
				   *drv ? drv : "no driver");
			memcpy(it->driver, drv, sizeof(it->driver));
			moved = true;
		}
	}
	if (moved) {
		ret = replan(plan);
		if (!ret)
			ret = check_groups(plan, flags);
		if (!ret)
			ret = check_uses(plan, flags);
		if (ret)
			return ret;
	}
	for (i = 0; i < plan->num_items; i++) {
		struct bind_item *it = &plan->items[i];

		if (!it->note && !current_override(plan->ctx, it->name, ovr, sizeof(ovr)))
			memcpy(it->override, ovr, sizeof(it->override));
	}
	return 0;
}

/* The journal entries as they are before this run, of the devices it will record. */
static int read_old_entries(struct vfiox_bind_plan *plan, unsigned int flags,
			    struct run_item *ri)
{
	size_t i;
	int ret;

	for (i = 0; i < plan->num_items; i++) {
		if (plan->items[i].note && !(flags & VFIOX_BIND_PERSIST))
			continue;
		ret = vfiox__journal_read(plan->ctx, plan->items[i].name, &ri[i].old);
		if (ret && ret != -ENOENT)
			return ret;
		ri[i].had_entry = !ret;
	}
	return 0;
}

static int run_steps(struct vfiox_bind_plan *plan, struct run_item *ri)
{
	char path[4096];
	size_t s;
	int ret;

	for (s = 0; s < plan->num_steps; s++) {
		const struct bind_step *st = &plan->steps[s];
		const struct bind_item *it = &plan->items[st->item];
		struct run_item *r = &ri[st->item];

		if (!r->touched) {
			struct vfiox__jentry e;

			vfiox__jentry_init(&e, it->name);
			e.has_driver = e.has_override = true;
			memcpy(e.driver, it->driver, sizeof(e.driver));
			memcpy(e.override, it->override, sizeof(e.override));
			ret = vfiox__journal_record(plan->ctx, &e);
			if (ret)
				return ret;
			r->recorded = true;
		}
		if (plan->step_fn) {
			ret = plan->step_fn(plan->step_data, s + 1, st->text);
			if (ret)
				return vfiox__err(plan->ctx, ret, "stopped before step %zu (%s)",
						  s + 1, st->text);
			vfiox__dbg(plan->ctx, "step %zu: %s", s + 1, st->text);
		} else {
			/* the context's callback, if any (vfiox_ctx_set_step_cb()) */
			ret = vfiox__step(plan->ctx, "%s", st->text);
			if (ret)
				return ret;
		}
		r->touched = true;
		ret = step_write(plan->ctx, st->kind, it->name, plan->driver, path, sizeof(path));
		if (ret)
			return vfiox__err(plan->ctx, ret, "cannot bind %s: writing %s failed: %s%s",
					  it->name, path, strerror(-ret),
					  ret == -EROFS || ret == -EACCES || ret == -EPERM ?
					  " (sysfs is read-only here, or you are not root)" : "");
		if (st->kind == STEP_PROBE) {
			ret = check_landed(plan, it);
			if (ret)
				return ret;
		}
	}
	return 0;
}

VFIOX_EXPORT int vfiox_bind_plan_run(struct vfiox_bind_plan *plan, unsigned int flags,
				     int timeout_ms)
{
	struct run_item *ri;
	size_t i;
	int ret, lock;

	if (timeout_ms < 0)
		timeout_ms = DEFAULT_TIMEOUT_MS;
	ret = check_groups(plan, flags);
	if (!ret)
		ret = check_uses(plan, flags);
	if (ret || (flags & VFIOX_BIND_DRY_RUN))
		return ret;
	ri = calloc(plan->num_items ? plan->num_items : 1, sizeof(*ri));
	if (!ri)
		return vfiox__err(plan->ctx, -ENOMEM, "out of memory");
	ret = vfiox__journal_lock(plan->ctx, &lock);
	if (ret)
		goto out_free;
	vfiox__steps_begin(plan->ctx);
	ret = check_unchanged(plan, flags);
	if (!ret)
		ret = read_old_entries(plan, flags, ri);
	if (ret)
		goto out_unlock;
	if (flags & VFIOX_BIND_PERSIST)
		ret = persist(plan, ri);
	if (!ret)
		ret = run_steps(plan, ri);
	if (ret)
		rollback(plan, ri);
	if (flags & VFIOX_BIND_PERSIST)
		vfiox__udev_reload(plan->ctx); /* the rules written, or taken back */
out_unlock:
	vfiox__journal_unlock(lock);
out_free:
	free(ri);
	if (ret || (flags & VFIOX_BIND_NO_WAIT))
		return ret;
	for (i = 0; i < plan->num_items; i++) {
		if (plan->items[i].note)
			continue; /* bound before: its node is not ours to wait for */
		ret = vfiox_wait_group_node(plan->ctx, plan->items[i].group, timeout_ms);
		if (ret)
			return ret;
	}
	return 0;
}
