/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_BIND_H
#define VFIOX_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include <vfiox/ctx.h>
#include <vfiox/pci.h>
#include <vfiox/group.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: binding devices to vfio-pci
 *
 * A &struct vfiox_bind_plan lists the devices to hand to a VFIO driver (vfio-pci unless
 * told otherwise) and the exact sysfs writes that do it, per device in this order:
 * driver_override, unbind from the current driver, drivers_probe. new_id is never used:
 * it would also catch every other device with the same ids. Bridges are never taken;
 * a group is bound by binding each of its endpoints.
 *
 * Before the first write to a device, its original state (driver, driver_override) is
 * journaled in the context's state directory (vfiox_ctx_state_dir()), one file per
 * device, written atomically. vfiox_bind_restore() puts back exactly what the journal
 * recorded and only for devices that have an entry; vfiox_bind_restore_all() replays
 * the whole journal, e.g. after a crash. When a write fails halfway through a plan, the
 * devices already moved are restored before vfiox_bind_plan_run() returns.
 */
struct vfiox_bind_plan;

/* Flags for vfiox_bind_plan_run(). */
enum vfiox_bind_flags {
	VFIOX_BIND_DRY_RUN = 1 << 0, /* check and compute the plan, write nothing */
	VFIOX_BIND_FORCE = 1 << 1,   /* bind devices that are in use (see vfiox_bind_plan_add_dev()) */
	VFIOX_BIND_PERSIST = 1 << 2, /* also make the binding survive a reboot (udev rule) */
	VFIOX_BIND_NO_WAIT = 1 << 3, /* do not wait for the /dev/vfio node of the group */
};

/**
 * typedef vfiox_bind_step_fn - called before each sysfs write of a plan
 * @userdata: the pointer given to vfiox_bind_plan_set_step_cb()
 * @step: 1-based number of the write about to happen (as in vfiox_bind_plan_step())
 * @text: the write, as vfiox_bind_plan_step() describes it
 *
 * For progress output and for tests that stop a bind at a given step. A non-zero return
 * stops the plan there as a failure (with rollback), with that value as the error.
 */
typedef int (*vfiox_bind_step_fn)(void *userdata, size_t step, const char *text);

/**
 * vfiox_bind_plan_new() - start an empty plan
 * @scan: the scan whose devices will be added; must outlive the plan
 * @driver: the VFIO driver to bind to, or NULL for "vfio-pci"
 * @planp: receives the plan
 *
 * Return: 0; -EINVAL for an empty driver name; -ENOMEM.
 */
int vfiox_bind_plan_new(struct vfiox_scan *scan, const char *driver,
			struct vfiox_bind_plan **planp);

/**
 * vfiox_bind_plan_free() - release a plan
 * @plan: the plan, or NULL
 */
void vfiox_bind_plan_free(struct vfiox_bind_plan *plan);

/**
 * vfiox_bind_plan_add_dev() - add one device
 * @plan: the plan
 * @dev: a device of the plan's scan
 *
 * A device already bound to the plan's driver is kept as a no-op (see
 * vfiox_bind_plan_dev_note()). Whether the device's IOMMU group can become viable is
 * checked by vfiox_bind_plan_run(): a group whose other members stay on host drivers
 * makes it refuse, naming them, unless forced.
 *
 * Return: 0; -EINVAL when @dev is a bridge (name and reason in the last error);
 * -ENODEV when @dev is in no IOMMU group (the IOMMU is off); -ENOMEM.
 */
int vfiox_bind_plan_add_dev(struct vfiox_bind_plan *plan, struct vfiox_pci_dev *dev);

/**
 * vfiox_bind_plan_add_group() - add every endpoint of an IOMMU group, leaving bridges
 * @plan: the plan
 * @group: a group of the plan's scan
 *
 * Return: 0; -ENOENT when the group has no endpoint to bind; -ENOMEM.
 */
int vfiox_bind_plan_add_group(struct vfiox_bind_plan *plan, struct vfiox_group *group);

/**
 * vfiox_bind_plan_num_devs() - devices in the plan, no-ops included
 * @plan: the plan
 *
 * Return: the count.
 */
size_t vfiox_bind_plan_num_devs(const struct vfiox_bind_plan *plan);

/**
 * vfiox_bind_plan_dev() - a device of the plan by index, in the order they are bound
 * @plan: the plan
 * @idx: 0 .. vfiox_bind_plan_num_devs() - 1
 *
 * Return: the device, or NULL when @idx is out of range.
 */
struct vfiox_pci_dev *vfiox_bind_plan_dev(const struct vfiox_bind_plan *plan, size_t idx);

/**
 * vfiox_bind_plan_dev_note() - why a device of the plan needs no write
 * @plan: the plan
 * @idx: 0 .. vfiox_bind_plan_num_devs() - 1
 *
 * Return: e.g. "already bound to vfio-pci", or NULL when the device will be moved.
 */
const char *vfiox_bind_plan_dev_note(const struct vfiox_bind_plan *plan, size_t idx);

/**
 * vfiox_bind_plan_num_steps() - sysfs writes the plan will make
 * @plan: the plan
 *
 * Return: the count; 0 when every device is already bound.
 */
size_t vfiox_bind_plan_num_steps(const struct vfiox_bind_plan *plan);

/**
 * vfiox_bind_plan_step() - one write of the plan, for humans
 * @plan: the plan
 * @idx: 0 .. vfiox_bind_plan_num_steps() - 1
 *
 * Return: e.g. "write \"vfio-pci\" to /sys/bus/pci/devices/0000:02:01.0/driver_override",
 * owned by the plan; NULL when @idx is out of range.
 */
const char *vfiox_bind_plan_step(const struct vfiox_bind_plan *plan, size_t idx);

/**
 * vfiox_bind_plan_set_step_cb() - install a callback run before each write
 * @plan: the plan
 * @fn: the callback, or NULL
 * @userdata: passed to @fn
 */
void vfiox_bind_plan_set_step_cb(struct vfiox_bind_plan *plan, vfiox_bind_step_fn fn,
				 void *userdata);

/**
 * vfiox_bind_plan_run() - carry the plan out
 * @plan: the plan
 * @flags: &enum vfiox_bind_flags
 * @timeout_ms: how long to wait for each group's /dev/vfio node (negative: 5000)
 *
 * Journals each device before its first write, then writes driver_override, unbinds,
 * probes, and checks that the device landed on the driver. With VFIOX_BIND_PERSIST, a
 * udev rule per device (see vfioctl(8)) is journaled and written first, before any sysfs
 * write, so that restore removes it. On any failure the devices already moved by this
 * call go back to the driver and driver_override it found them on, the rules it wrote
 * are deleted and their journal entries are as before the call. Then waits for
 * /dev/vfio/N of each group touched (inotify on the device root; no fixed sleep).
 *
 * Takes the journal's lock (a flock on <state_dir>/lock, waited for as
 * vfiox_ctx_set_lock_wait() says) for the writes: one process at a time changes bindings.
 * Under it, a device that moved since the scan (another process bound or restored it) is
 * planned again from where it is, and checked again. Without a callback of the plan's
 * own, each write is reported to the context's (vfiox_ctx_set_step_cb()).
 *
 * Return: 0; -EBUSY when a device is in use, or its IOMMU group keeps another member on a
 * host driver, and VFIOX_BIND_FORCE is not given, or when another process holds the
 * journal's lock (no wait set); -ETIMEDOUT also when it held it for all of the wait;
 * -ENODEV when a device went away since the scan; -ENXIO
 * when the driver did not take a device (rolled back); -ETIMEDOUT when a /dev/vfio node
 * did not appear (the devices stay bound); another -errno from sysfs or the journal
 * (e.g. -EROFS, -EACCES). The last error names the device and the step.
 */
int vfiox_bind_plan_run(struct vfiox_bind_plan *plan, unsigned int flags, int timeout_ms);

/**
 * vfiox_bind_restore() - undo what a bind did to one device
 * @ctx: the context
 * @dev: the device's sysfs name, "0000:02:01.0"
 *
 * Puts back the journaled driver_override, unbinds from the VFIO driver, reprobes so the
 * original driver returns, removes a persistent rule written for the device, and restores
 * the SR-IOV attributes recorded for it; then drops the journal entry.
 *
 * Return: 0; -ENOENT when the journal has no entry for @dev (we did not change it);
 * another -errno when a write fails (the entry is kept so a later restore can retry).
 */
int vfiox_bind_restore(struct vfiox_ctx *ctx, const char *dev);

/**
 * vfiox_bind_restore_all() - replay the whole journal
 * @ctx: the context
 * @restored: receives how many devices were restored, or NULL
 *
 * Virtual functions are restored before physical functions; an entry for a device that
 * no longer exists (a VF removed since) is dropped with a log message. An entry that
 * cannot be restored does not stop the others: a damaged one (torn by a crash, garbled)
 * is kept untouched and named with what is wrong; from the second failure on each is
 * logged as a warning, and the last error counts them. Waits for the journal's lock as
 * vfiox_ctx_set_lock_wait() says; reports each change to vfiox_ctx_set_step_cb()'s callback.
 *
 * Return: 0 when every entry was restored (or there were none); else the first error
 * (-EBADMSG for a damaged entry), after trying every entry.
 */
int vfiox_bind_restore_all(struct vfiox_ctx *ctx, size_t *restored);

/**
 * vfiox_bind_journaled() - whether the journal has an entry for a device
 * @ctx: the context
 * @dev: the device's sysfs name
 *
 * Return: 1 when it has one, 0 when not, -errno when the journal cannot be read.
 */
int vfiox_bind_journaled(struct vfiox_ctx *ctx, const char *dev);

/**
 * vfiox_wait_group_node() - wait until /dev/vfio/N exists, as udevd leaves it
 * @ctx: the context (its device root is used)
 * @group: the group number N
 * @timeout_ms: how long to wait in all; 0 checks once
 *
 * Watches the device root with inotify, so it returns as soon as devtmpfs or udev creates
 * the node, without polling. Where udevd runs (its /run/udev/control exists; for the real
 * /dev only, or VFIOX_UDEV_DIR names its directory), it then waits until udevd has recorded
 * the node in its database, which udevd does after applying the rules' OWNER, GROUP and
 * MODE: a user that a rule gives the group can open it once this returns.
 *
 * Return: 0; -ETIMEDOUT (the node did not appear, or udevd did not finish with it); another
 * -errno when the directory cannot be watched.
 */
int vfiox_wait_group_node(struct vfiox_ctx *ctx, int group, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_BIND_H */
